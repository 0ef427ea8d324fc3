/**
 * The tenant accounts' passwords, for `tenant discover` and `audit --discover`. They belong to
 * the partner, not to drperm: DRPERM_TENANT_PASSWORD for a single tenant, a YAML file
 * (tenant -> password) readable by its owner only, or a prompt without echo per tenant on a
 * terminal. Never a flag: command lines are visible to other users of the machine.
 */
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadYaml } from '../policy/yaml-file';
import { InputError } from '../util/errors';
import { registerSecret } from '../util/log';
import { promptPassword } from './password-prompt';

export const TENANT_PASSWORD_ENV = 'DRPERM_TENANT_PASSWORD';

export interface TenantPasswordFlags {
  tenantPasswords?: string;
}

export const TENANT_PASSWORDS_OPTION = [
  '--tenant-passwords <file>',
  `YAML file: tenant name -> the password of its vCenter account; must be readable by its owner only (chmod 600). For one tenant, env ${TENANT_PASSWORD_ENV} works too; otherwise a prompt per tenant on a terminal`,
] as const;

export function addTenantPasswordOption(cmd: Command): Command {
  return cmd.option(...TENANT_PASSWORDS_OPTION);
}

export interface PasswordIo {
  env?: NodeJS.ProcessEnv;
  stdinIsTty?: boolean;
  prompt?: (question: string) => Promise<string>;
}

const PasswordFileSchema = z.record(z.string(), z.string().min(1));

/** `tenants`: tenant name and account of every tenant to log in as, in policy order. */
export async function tenantPasswords(
  tenants: ReadonlyArray<{ tenant: string; principal: string }>,
  flags: TenantPasswordFlags,
  io: PasswordIo = {},
): Promise<Map<string, string>> {
  const env = io.env ?? process.env;
  const out = new Map<string, string>();
  if (flags.tenantPasswords !== undefined) {
    for (const [tenant, password] of await readPasswordFile(flags.tenantPasswords)) {
      registerSecret(password);
      if (tenants.some((t) => t.tenant === tenant)) out.set(tenant, password);
    }
  }
  const fromEnv = env[TENANT_PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    registerSecret(fromEnv);
    const open = tenants.filter((t) => !out.has(t.tenant));
    if (tenants.length > 1 && open.length > 0) {
      throw new InputError(
        `${TENANT_PASSWORD_ENV} is for a single tenant; ${tenants.length} are given`,
        {
          hint: 'put one password per tenant in a file readable only by you (chmod 600) and pass --tenant-passwords FILE',
        },
      );
    }
    for (const t of open) out.set(t.tenant, fromEnv);
  }
  const missing = tenants.filter((t) => !out.has(t.tenant));
  if (missing.length === 0) return out;
  const tty = io.stdinIsTty ?? process.stdin.isTTY === true;
  if (!tty) {
    throw new InputError(
      `no password for the vCenter account of ${missing.map((t) => t.tenant).join(', ')}`,
      {
        hint: `set ${TENANT_PASSWORD_ENV} (one tenant), pass --tenant-passwords FILE (YAML tenant: password, chmod 600), or run on a terminal to be prompted`,
      },
    );
  }
  for (const t of missing) {
    const password = await (io.prompt ?? promptPassword)(
      `Password for ${t.principal} (tenant ${t.tenant}): `,
    );
    if (password === '') throw new InputError(`no password entered for tenant ${t.tenant}`);
    registerSecret(password);
    out.set(t.tenant, password);
  }
  return out;
}

/** Reads the file after checking that only its owner may read or write it. */
export async function readPasswordFile(file: string): Promise<Map<string, string>> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (err) {
    throw new InputError(
      `${file}: cannot read the tenant password file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new InputError(
      `${file}: refused: the password file is accessible to others (mode ${(mode & 0o777).toString(8).padStart(3, '0')})`,
      { hint: `make it readable by its owner only: chmod 600 ${file}` },
    );
  }
  const { value } = await loadYaml(file, PasswordFileSchema);
  return new Map(Object.entries(value));
}
