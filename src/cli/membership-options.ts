/**
 * Where `drperm audit` and `drperm collect` get group membership: --membership-from vcenter
 * (UserDirectory), --ldap URL (LDAP / Active Directory) and the --membership file. The LDAP
 * password comes from DRPERM_LDAP_PASSWORD, --ldap-password-stdin or a prompt, never a flag.
 */
import type { Command } from 'commander';
import type { TenantAccount } from '../directory/gather';
import {
  DEFAULT_LDAP_PAGE_SIZE,
  DEFAULT_LDAP_TIMEOUT_MS,
  parseBaseDn,
  type LdapSettings,
  type NestedMode,
  type LdapSchema,
} from '../directory/ldap-source';
import { InputError } from '../util/errors';
import { registerSecret } from '../util/log';
import type { MembershipSettings } from '../ops/membership';
import { promptPassword, readPasswordFromStdin } from './password-prompt';

export interface MembershipFlags {
  membership?: string;
  membershipFrom?: string;
  ldap?: string;
  ldapCaFile?: string;
  ldapBindDn?: string;
  ldapPasswordStdin?: boolean;
  ldapBaseDn?: string[];
  ldapSchema?: string;
  ldapUserAttribute?: string;
  ldapGroupAttribute?: string;
  ldapNested?: string;
  ldapPageSize?: string;
  ldapTimeout?: string;
  passwordStdin?: boolean;
  snapshot?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The directory flags (the --membership file flag stays with each command). */
export function addDirectoryOptions(cmd: Command): Command {
  return cmd
    .option(
      '--membership-from <source>',
      'read group membership from the vCenter user directory: vcenter (SSO, VSPHERE.LOCAL)',
    )
    .option(
      '--ldap <url>',
      'read group membership from LDAP / Active Directory: ldaps://host or ldap://host (StartTLS)',
    )
    .option(
      '--ldap-base-dn <domain=dn>',
      'base DN of an identity-source domain, e.g. CORP=DC=corp,DC=example (aliases: CORP,CORP.EXAMPLE=...); repeatable',
      collect,
    )
    .option(
      '--ldap-bind-dn <dn>',
      'DN to bind as (password: env DRPERM_LDAP_PASSWORD, --ldap-password-stdin or a prompt)',
    )
    .option('--ldap-password-stdin', 'read the LDAP bind password from standard input')
    .option(
      '--ldap-ca-file <file>',
      'PEM file with the CA that signed the directory server certificate',
    )
    .option(
      '--ldap-schema <schema>',
      'attribute names: ad (sAMAccountName) or openldap (uid / cn); default from the server',
    )
    .option(
      '--ldap-user-attribute <name>',
      'attribute holding the user name vCenter shows (default sAMAccountName or uid)',
    )
    .option(
      '--ldap-group-attribute <name>',
      'attribute holding the group name vCenter shows (default sAMAccountName or cn)',
    )
    .option(
      '--ldap-nested <mode>',
      'nested groups: in-chain (AD matching rule 1.2.840.113556.1.4.1941) or member-of (one group at a time); default from the server',
    )
    .option(
      '--ldap-page-size <n>',
      `entries per paged-results page (default ${DEFAULT_LDAP_PAGE_SIZE})`,
    )
    .option(
      '--ldap-timeout <seconds>',
      `longest wait for any answer of the directory (default ${DEFAULT_LDAP_TIMEOUT_MS / 1000})`,
    );
}

export interface PasswordIo {
  env?: NodeJS.ProcessEnv;
  stdinIsTty?: boolean;
  readStdin?: () => Promise<string>;
  prompt?: (question: string) => Promise<string>;
}

/** --ldap and its companions as settings; undefined without --ldap. */
export async function ldapSettings(
  opts: MembershipFlags,
  io: PasswordIo = {},
): Promise<LdapSettings | undefined> {
  const ldapOnly = [
    opts.ldapBaseDn,
    opts.ldapBindDn,
    opts.ldapCaFile,
    opts.ldapPasswordStdin,
    opts.ldapSchema,
    opts.ldapNested,
  ].some((v) => v !== undefined);
  if (opts.ldap === undefined) {
    if (ldapOnly) throw new InputError('--ldap-* options need --ldap URL');
    return undefined;
  }
  const bases = (opts.ldapBaseDn ?? []).map(parseBaseDn);
  if (bases.length === 0) {
    throw new InputError('--ldap needs at least one --ldap-base-dn DOMAIN=DN', {
      hint: 'name the identity-source domain as vCenter writes it, e.g. --ldap-base-dn CORP=DC=corp,DC=example',
    });
  }
  const settings: LdapSettings = { url: opts.ldap, bases };
  if (opts.ldapCaFile !== undefined) settings.caFile = opts.ldapCaFile;
  if (opts.ldapSchema !== undefined)
    settings.schema = oneOf('--ldap-schema', opts.ldapSchema, ['ad', 'openldap']) as LdapSchema;
  if (opts.ldapNested !== undefined)
    settings.nested = oneOf('--ldap-nested', opts.ldapNested, [
      'in-chain',
      'member-of',
    ]) as NestedMode;
  if (opts.ldapUserAttribute !== undefined) settings.userAttribute = opts.ldapUserAttribute;
  if (opts.ldapGroupAttribute !== undefined) settings.groupAttribute = opts.ldapGroupAttribute;
  if (opts.ldapPageSize !== undefined)
    settings.pageSize = wholeNumber('--ldap-page-size', opts.ldapPageSize, 1, 100000);
  if (opts.ldapTimeout !== undefined)
    settings.timeoutMs = wholeNumber('--ldap-timeout', opts.ldapTimeout, 1, 3600) * 1000;
  if (opts.ldapBindDn !== undefined) {
    settings.bindDn = opts.ldapBindDn;
    settings.password = await ldapPassword(opts, io);
    registerSecret(settings.password);
  } else if (opts.ldapPasswordStdin) {
    throw new InputError('--ldap-password-stdin needs --ldap-bind-dn');
  }
  return settings;
}

async function ldapPassword(opts: MembershipFlags, io: PasswordIo): Promise<string> {
  const env = io.env ?? process.env;
  if (opts.ldapPasswordStdin) {
    if (opts.passwordStdin) {
      throw new InputError(
        '--password-stdin and --ldap-password-stdin cannot both read standard input',
        {
          hint: 'give one of the passwords in its environment variable (DRPERM_PASSWORD or DRPERM_LDAP_PASSWORD)',
        },
      );
    }
    const password = await (io.readStdin ?? readPasswordFromStdin)();
    if (password === '')
      throw new InputError('--ldap-password-stdin was given but standard input was empty');
    return password;
  }
  const fromEnv = env.DRPERM_LDAP_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (io.stdinIsTty ?? process.stdin.isTTY === true) {
    const password = await (io.prompt ?? promptPassword)(`LDAP password for ${opts.ldapBindDn}: `);
    if (password === '') throw new InputError('no LDAP password entered');
    return password;
  }
  throw new InputError('no LDAP password given for --ldap-bind-dn', {
    hint: 'set DRPERM_LDAP_PASSWORD, pipe it with --ldap-password-stdin, or run on a terminal to be prompted',
  });
}

function oneOf(flag: string, value: string, allowed: readonly string[]): string {
  const v = value.toLowerCase();
  if (!allowed.includes(v))
    throw new InputError(`${flag} "${value}" is not one of ${allowed.join(', ')}`);
  return v;
}

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InputError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/**
 * The membership sources the flags name (src/ops/membership.ts opens them). --membership-from
 * vcenter reads the collecting session's directory, so it needs a live vCenter.
 */
export async function membershipSettings(
  opts: MembershipFlags,
  accounts: readonly TenantAccount[] = [],
  io: PasswordIo = {},
): Promise<MembershipSettings> {
  let fromVcenter = false;
  if (opts.membershipFrom !== undefined) {
    oneOf('--membership-from', opts.membershipFrom, ['vcenter']);
    if (opts.snapshot !== undefined) {
      throw new InputError('--membership-from vcenter needs a live vCenter, not --snapshot', {
        hint: 'collect with `drperm collect --membership-from vcenter`: an audit of that snapshot uses its membership section',
      });
    }
    fromVcenter = true;
  }
  const ldap = await ldapSettings(opts, io);
  return {
    fromVcenter,
    ...(opts.membership !== undefined ? { membershipFile: opts.membership } : {}),
    ...(ldap ? { ldap } : {}),
    accounts,
  };
}
