/**
 * LDAP / Active Directory as a membership source (ldapts; no BER of our own).
 *
 * - TLS always, verified: `ldaps://`, or `ldap://` upgraded with StartTLS before the bind;
 *   the CA from --ldap-ca-file (else the system's).
 * - Groups are found under the base DN of their identity-source domain by the name vCenter
 *   shows: sAMAccountName (AD) or cn (OpenLDAP); users by sAMAccountName or uid.
 * - Nested groups: on Active Directory one paged search with LDAP_MATCHING_RULE_IN_CHAIN
 *   (1.2.840.113556.1.4.1941) returns the whole subtree, and each entry's memberOf gives the
 *   direct edges inside it; elsewhere each group is read on its own (entries whose memberOf
 *   names it, plus any `member` DN that search missed, for servers without memberOf), and
 *   the reader follows nested groups with cycle detection.
 * - Searches use the simple paged results control (RFC 2696): a group may have more members
 *   than the server returns in one answer.
 * - Every network wait is bounded by a timeout.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import {
  AdminLimitExceededError,
  Client,
  InvalidCredentialsError,
  NoSuchObjectError,
  ResultCodeError,
  escapeFilter,
  type Entry,
} from 'ldapts';
import { InputError, ServerError } from '../util/errors';
import { registerSecret } from '../util/log';
import { joinPrincipal, PrincipalMatcher, splitPrincipal } from './names';
import type { DirectMember, GroupListing, MembershipSource } from './source';

/** Active Directory's "transitive membership" matching rule. */
export const IN_CHAIN_RULE = '1.2.840.113556.1.4.1941';
/** rootDSE supportedCapabilities value of Active Directory (LDAP_CAP_ACTIVE_DIRECTORY_OID). */
export const AD_CAPABILITY = '1.2.840.113556.1.4.800';
export const DEFAULT_LDAP_TIMEOUT_MS = 30_000;
export const DEFAULT_LDAP_PAGE_SIZE = 500;

export interface LdapBase {
  /** Identity-source domain names, canonical first (e.g. CORP, CORP.EXAMPLE). */
  domains: string[];
  baseDn: string;
}

export type LdapSchema = 'ad' | 'openldap';
export type NestedMode = 'in-chain' | 'member-of';

export interface LdapSettings {
  url: string;
  /** PEM file of the CA that signed the server certificate. */
  caFile?: string;
  bindDn?: string;
  password?: string;
  bases: LdapBase[];
  /** Attribute presets; detected from the rootDSE when absent. */
  schema?: LdapSchema;
  userAttribute?: string;
  groupAttribute?: string;
  /** How nested groups are read; in-chain on Active Directory, member-of elsewhere, when absent. */
  nested?: NestedMode;
  pageSize?: number;
  timeoutMs?: number;
  id?: string;
}

const PRESETS: Record<LdapSchema, { user: string; group: string }> = {
  ad: { user: 'sAMAccountName', group: 'sAMAccountName' },
  openldap: { user: 'uid', group: 'cn' },
};
const GROUP_CLASSES = ['group', 'groupOfNames', 'groupOfUniqueNames'];
const GROUP_FILTER = `(|${GROUP_CLASSES.map((c) => `(objectClass=${c})`).join('')})`;

/** Lower case, no blanks around separators: how two DNs from one server are compared. */
export function dnKey(dn: string): string {
  return dn
    .trim()
    .replace(/\s*([,=+])\s*/g, '$1')
    .toLowerCase();
}

/** `--ldap-base-dn DOMAIN[,ALIAS...]=DN` */
export function parseBaseDn(value: string): LdapBase {
  const eq = value.indexOf('=');
  const domains = (eq < 0 ? '' : value.slice(0, eq))
    .split(',')
    .map((d) => d.trim().toUpperCase())
    .filter((d) => d !== '');
  const baseDn = eq < 0 ? '' : value.slice(eq + 1).trim();
  if (domains.length === 0 || !/^[^=,]+=[^=]/.test(baseDn)) {
    throw new InputError(`--ldap-base-dn "${value}" is not DOMAIN=DN`, {
      hint: 'e.g. --ldap-base-dn CORP=DC=corp,DC=example (aliases: CORP,CORP.EXAMPLE=DC=corp,DC=example)',
    });
  }
  return { domains, baseDn };
}

/** The filter matching every entry in a group's subtree (AD) or its direct members. */
export function memberFilter(groupDn: string, mode: NestedMode): string {
  return mode === 'in-chain'
    ? escapeFilter`(memberOf:${IN_CHAIN_RULE}:=${groupDn})`
    : escapeFilter`(memberOf=${groupDn})`;
}

interface Attributes {
  user: string;
  group: string;
}

export class LdapMembershipSource implements MembershipSource {
  readonly info;
  readonly warnings: string[] = [];
  private readonly matcher: PrincipalMatcher;
  /** Entries per page; lowered when the server's limit is smaller. */
  private pageSize: number;

  private constructor(
    private readonly client: Client,
    private readonly settings: LdapSettings,
    private readonly attributes: Attributes,
    private readonly mode: NestedMode,
    private readonly timeoutMs: number,
  ) {
    this.info = {
      id: settings.id ?? 'ldap',
      kind: 'ldap' as const,
      location: safeUrl(settings.url),
      domains: settings.bases.map((b) => b.domains),
    };
    this.matcher = new PrincipalMatcher(settings.bases.map((b) => b.domains));
    this.pageSize = settings.pageSize ?? DEFAULT_LDAP_PAGE_SIZE;
  }

  /** Connects, secures, binds and checks every base DN; throws ServerError / InputError. */
  static async open(settings: LdapSettings): Promise<LdapMembershipSource> {
    registerSecret(settings.password);
    const url = parseLdapUrl(settings.url);
    const timeoutMs = settings.timeoutMs ?? DEFAULT_LDAP_TIMEOUT_MS;
    const tls: ConnectionOptions = {
      host: url.hostname,
      minVersion: 'TLSv1.2',
      ...(isIP(url.hostname) === 0 ? { servername: url.hostname } : {}),
      ...(settings.caFile !== undefined ? { ca: await readCa(settings.caFile) } : {}),
    };
    const client = new Client({
      url: settings.url,
      timeout: timeoutMs,
      connectTimeout: timeoutMs,
      // ldapts speaks TLS from the first byte whenever tlsOptions are set: only for ldaps://.
      ...(url.protocol === 'ldaps:' ? { tlsOptions: tls } : {}),
    });
    const where = safeUrl(settings.url);
    try {
      if (url.protocol === 'ldap:') {
        await bounded(client.startTLS({ ...tls }), timeoutMs, `StartTLS with ${where}`);
      }
      if (settings.bindDn !== undefined) {
        await bounded(
          client.bind(settings.bindDn, settings.password ?? ''),
          timeoutMs,
          `bind to ${where}`,
        );
      }
      const root = await bounded(
        client.search('', {
          scope: 'base',
          filter: '(objectClass=*)',
          attributes: ['supportedCapabilities', 'supportedControl'],
        }),
        timeoutMs,
        `reading the rootDSE of ${where}`,
      );
      const caps = values(root.searchEntries[0], 'supportedCapabilities');
      const isAd = caps.includes(AD_CAPABILITY);
      const schema = settings.schema ?? (isAd ? 'ad' : 'openldap');
      const attributes = {
        user: settings.userAttribute ?? PRESETS[schema].user,
        group: settings.groupAttribute ?? PRESETS[schema].group,
      };
      const mode = settings.nested ?? (isAd ? 'in-chain' : 'member-of');
      for (const base of settings.bases) await checkBase(client, base, where, timeoutMs);
      return new LdapMembershipSource(client, settings, attributes, mode, timeoutMs);
    } catch (err) {
      await client.unbind().catch(() => undefined);
      throw ldapError(err, settings);
    }
  }

  /** How nested groups are read (for the report and --verbose). */
  get nestedMode(): NestedMode {
    return this.mode;
  }

  covers(principal: string): boolean {
    return this.baseFor(principal) !== undefined;
  }

  private baseFor(principal: string): { base: LdapBase; domain: string } | undefined {
    const { domain } = splitPrincipal(principal);
    if (domain === undefined) return undefined;
    const base = this.settings.bases.find((b) =>
      b.domains.some((d) => this.matcher.sameDomain(d, domain)),
    );
    return base ? { base, domain: base.domains[0]! } : undefined;
  }

  async listGroup(group: string): Promise<GroupListing[] | undefined> {
    const found = this.baseFor(group);
    if (!found) return undefined;
    const { base, domain } = found;
    const { name } = splitPrincipal(group);
    try {
      const entry = await this.findGroup(base.baseDn, name);
      if (!entry) return undefined;
      return this.mode === 'in-chain'
        ? await this.subtree(base.baseDn, domain, entry)
        : [await this.direct(base.baseDn, domain, entry)];
    } catch (err) {
      throw ldapError(err, this.settings);
    }
  }

  private async findGroup(baseDn: string, name: string): Promise<Entry | undefined> {
    const attr = this.attributes.group;
    const { searchEntries } = await this.search(baseDn, {
      // Only the name is a value (escaped); the attribute name comes from our settings.
      filter: `(&${GROUP_FILTER}(${attr}=${escapeFilter`${name}`}))`,
      attributes: [attr, 'objectClass', 'member', 'uniqueMember'],
    });
    if (searchEntries.length > 1) {
      this.warnings.push(
        `${this.info.location}: ${searchEntries.length} groups named ${name} under ${baseDn}; used ${searchEntries[0]!.dn}`,
      );
    }
    return searchEntries[0];
  }

  /** Direct members: entries whose memberOf names the group, plus `member` DNs that search missed. */
  private async direct(baseDn: string, domain: string, group: Entry): Promise<GroupListing> {
    const { searchEntries } = await this.search(baseDn, {
      filter: memberFilter(group.dn, 'member-of'),
      attributes: this.entryAttributes(),
    });
    const members = new Map<string, DirectMember>();
    for (const e of searchEntries) this.addMember(members, e, domain);
    for (const dn of [...values(group, 'member'), ...values(group, 'uniqueMember')]) {
      if (members.has(dnKey(dn))) continue;
      const entry = await this.readEntry(dn);
      if (entry) this.addMember(members, entry, domain);
      else this.warnings.push(`${this.info.location}: member ${dn} of ${group.dn} does not exist`);
    }
    return this.listing(group, domain, [...members.values()]);
  }

  /** The whole subtree in one in-chain search; direct edges from each entry's memberOf. */
  private async subtree(baseDn: string, domain: string, group: Entry): Promise<GroupListing[]> {
    const { searchEntries } = await this.search(baseDn, {
      filter: memberFilter(group.dn, 'in-chain'),
      attributes: [...this.entryAttributes(), 'memberOf'],
    });
    const groups = new Map<string, Entry>([[dnKey(group.dn), group]]);
    for (const e of searchEntries) if (isGroupEntry(e)) groups.set(dnKey(e.dn), e);
    const members = new Map<string, Map<string, DirectMember>>();
    for (const e of searchEntries) {
      for (const parent of values(e, 'memberOf')) {
        const key = dnKey(parent);
        if (!groups.has(key)) continue; // a group outside this subtree
        let list = members.get(key);
        if (!list) members.set(key, (list = new Map()));
        this.addMember(list, e, domain);
      }
    }
    return [...groups.entries()].map(([key, entry]) =>
      this.listing(entry, domain, [...(members.get(key)?.values() ?? [])]),
    );
  }

  private listing(entry: Entry, domain: string, members: DirectMember[]): GroupListing {
    const name = first(entry, this.attributes.group) ?? rdnValue(entry.dn);
    return { group: joinPrincipal(domain, name), dn: entry.dn, members };
  }

  private addMember(into: Map<string, DirectMember>, e: Entry, domain: string): void {
    const isGroup = isGroupEntry(e);
    const name = first(e, isGroup ? this.attributes.group : this.attributes.user);
    if (name === undefined) {
      this.warnings.push(
        `${this.info.location}: ${e.dn} has no ${isGroup ? this.attributes.group : this.attributes.user}; it was left out (see --ldap-user-attribute / --ldap-group-attribute)`,
      );
      return;
    }
    into.set(dnKey(e.dn), { name: joinPrincipal(domain, name), isGroup });
  }

  private async readEntry(dn: string): Promise<Entry | undefined> {
    try {
      const { searchEntries } = await bounded(
        this.client.search(dn, {
          scope: 'base',
          filter: '(objectClass=*)',
          attributes: this.entryAttributes(),
        }),
        this.timeoutMs,
        `reading ${dn}`,
      );
      return searchEntries[0];
    } catch (err) {
      if (err instanceof NoSuchObjectError) return undefined;
      throw err;
    }
  }

  private entryAttributes(): string[] {
    return [...new Set([this.attributes.user, this.attributes.group, 'objectClass'])];
  }

  /**
   * A paged subtree search. A server whose administrative limit is below our page size
   * (OpenLDAP's size.pr) refuses the page size with adminLimitExceeded; Active Directory
   * shrinks it silently. The page size is then halved until the server takes it.
   */
  private async search(
    baseDn: string,
    options: { filter: string; attributes: string[] },
  ): Promise<{ searchEntries: Entry[] }> {
    for (;;) {
      try {
        return await bounded(
          this.client.search(baseDn, {
            scope: 'sub',
            ...options,
            paged: { pageSize: this.pageSize },
          }),
          this.timeoutMs,
          `searching ${baseDn}`,
        );
      } catch (err) {
        if (!(err instanceof AdminLimitExceededError) || this.pageSize <= 1) throw err;
        this.pageSize = Math.max(1, Math.floor(this.pageSize / 2));
      }
    }
  }

  async close(): Promise<void> {
    await this.client.unbind().catch(() => undefined);
  }
}

function isGroupEntry(e: Entry): boolean {
  const classes = values(e, 'objectClass').map((c) => c.toLowerCase());
  return GROUP_CLASSES.some((c) => classes.includes(c.toLowerCase()));
}

/** Attribute values as strings; attribute names compare case-insensitively. */
function values(e: Entry | undefined, attr: string): string[] {
  if (!e) return [];
  const key = Object.keys(e).find((k) => k.toLowerCase() === attr.toLowerCase());
  if (key === undefined) return [];
  const v = e[key];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : x));
}

function first(e: Entry, attr: string): string | undefined {
  return values(e, attr)[0];
}

function rdnValue(dn: string): string {
  const rdn = dn.split(',')[0] ?? dn;
  return rdn.slice(rdn.indexOf('=') + 1);
}

function parseLdapUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(`--ldap "${safeUrl(value)}" is not a URL`, {
      hint: 'e.g. --ldap ldaps://dc01.corp.example or --ldap ldap://dc01.corp.example (StartTLS)',
    });
  }
  if (url.protocol !== 'ldaps:' && url.protocol !== 'ldap:') {
    throw new InputError(`--ldap must be an ldaps:// or ldap:// URL, got ${url.protocol}//`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new InputError('--ldap must not carry credentials', {
      hint: 'give the bind DN with --ldap-bind-dn and the password in DRPERM_LDAP_PASSWORD or with --ldap-password-stdin',
    });
  }
  return url;
}

/** The URL as reports show it: scheme, host and port only. */
function safeUrl(value: string): string {
  try {
    const u = new URL(value);
    return `${u.protocol}//${u.host}`;
  } catch {
    return value.replace(/\/\/[^/@]*@/, '//***@');
  }
}

async function readCa(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new InputError(`--ldap-ca-file ${file}: ${(err as Error).message}`);
  }
}

async function checkBase(
  client: Client,
  base: LdapBase,
  where: string,
  timeoutMs: number,
): Promise<void> {
  try {
    await bounded(
      client.search(base.baseDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] }),
      timeoutMs,
      `reading base DN ${base.baseDn}`,
    );
  } catch (err) {
    if (err instanceof NoSuchObjectError || (err instanceof ResultCodeError && err.code === 34)) {
      throw new InputError(
        `--ldap-base-dn ${base.domains[0]}=${base.baseDn}: no such entry on ${where}`,
        {
          hint: "check the DN (e.g. DC=corp,DC=example); the server's naming contexts are in its rootDSE",
        },
      );
    }
    throw err;
  }
}

class LdapTimeout extends Error {}

/** ldapts bounds operations but not the StartTLS handshake: every wait goes through here. */
function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new LdapTimeout(`${what}: no answer within ${ms / 1000} s`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
]);

/** A failure as the CLI shows it: what, where, and what to check; never the password. */
export function ldapError(err: unknown, settings: LdapSettings): Error {
  if (err instanceof InputError || err instanceof ServerError) return err;
  const where = safeUrl(settings.url);
  const message = (err as Error)?.message ?? String(err);
  const code = (err as { code?: unknown })?.code;
  if (err instanceof InvalidCredentialsError) {
    return new ServerError(
      `LDAP bind to ${where} as ${settings.bindDn ?? '(anonymous)'} failed: invalid credentials`,
      {
        hint: 'check --ldap-bind-dn and the password (DRPERM_LDAP_PASSWORD, --ldap-password-stdin or the prompt)',
        cause: err,
      },
    );
  }
  if (err instanceof LdapTimeout || /timeout/i.test(message)) {
    return new ServerError(`LDAP server ${where}: ${message}`, { cause: err });
  }
  if (typeof code === 'string' && TLS_CODES.has(code)) {
    return new ServerError(`LDAP server ${where}: TLS certificate not trusted (${code})`, {
      hint: 'pass the CA that signed the directory certificate with --ldap-ca-file',
      cause: err,
    });
  }
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    return new ServerError(`cannot reach the LDAP server ${where} (${code})`, {
      hint: 'check the --ldap URL and port, and that the directory server is running',
      cause: err,
    });
  }
  if (err instanceof ResultCodeError) {
    return new ServerError(`LDAP server ${where}: ${message} (result code ${err.code})`, {
      cause: err,
    });
  }
  return new ServerError(`LDAP server ${where}: ${message}`, { cause: err });
}
