/**
 * Where the NSX connection settings come from: flags, then DRPERM_NSX_* variables, and for
 * the password stdin (--password-stdin), DRPERM_NSX_PASSWORD, or a no-echo prompt on a
 * terminal. There is deliberately no password flag: it would show in `ps` and shell history.
 */
import type { Command } from 'commander';
import { InputError } from '../util/errors';
import { registerSecret, type Logger } from '../util/log';
import { CONNECT_TIMEOUT_MS, callTimeoutMs, DEFAULT_CALL_TIMEOUT_S } from '../net/timeouts';
import { trustPolicyFrom } from '../net/tls';
import type { NsxClient } from '../nsx/client';
import { withNsxClient, type NsxConnectionSettings } from '../nsx/connection';
import { promptPassword, readPasswordFromStdin } from './password-prompt';

export interface NsxConnectionFlags {
  nsxUrl?: string;
  nsxUsername?: string;
  insecure?: boolean;
  caFile?: string;
  thumbprint?: string;
  passwordStdin?: boolean;
  timeout?: string;
}

export function addNsxConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--nsx-url <url>', 'NSX Manager URL, e.g. https://nsx.example.net (env DRPERM_NSX_URL)')
    .option('--nsx-username <user>', 'NSX user, e.g. cloudadmin (env DRPERM_NSX_USERNAME)')
    .option('--password-stdin', 'read the NSX password from the first line of stdin')
    .option('--ca-file <pem>', 'also trust the CA certificates in this PEM file')
    .option(
      '--thumbprint <hex>',
      "pin the manager's certificate by SHA-256 or SHA-1 thumbprint (env DRPERM_NSX_THUMBPRINT)",
    )
    .option('--insecure', 'do not verify the TLS certificate (not recommended)')
    .option(
      '--timeout <seconds>',
      `seconds one call to NSX Manager may take (env DRPERM_TIMEOUT; default ${DEFAULT_CALL_TIMEOUT_S}); connecting is bounded by ${CONNECT_TIMEOUT_MS / 1000} s`,
    );
}

export interface ResolveIo {
  env: NodeJS.ProcessEnv;
  readStdin: () => Promise<string>;
  stdinIsTTY: boolean;
  prompt: (question: string) => Promise<string>;
  warn: (message: string) => void;
}

export async function resolveNsxConnection(
  flags: NsxConnectionFlags,
  io: ResolveIo = defaultIo(),
): Promise<NsxConnectionSettings> {
  const url = flags.nsxUrl ?? io.env.DRPERM_NSX_URL;
  if (!url) {
    throw new InputError('no NSX Manager given', {
      hint: 'pass --nsx-url URL or set DRPERM_NSX_URL',
    });
  }
  const username = flags.nsxUsername ?? io.env.DRPERM_NSX_USERNAME;
  if (!username) {
    throw new InputError('no NSX user given', {
      hint: 'pass --nsx-username USER or set DRPERM_NSX_USERNAME',
    });
  }
  const thumbprint = flags.thumbprint ?? io.env.DRPERM_NSX_THUMBPRINT;
  const trust = trustPolicyFrom({
    ...(flags.insecure ? { insecure: true } : {}),
    ...(flags.caFile ? { caFile: flags.caFile } : {}),
    ...(thumbprint ? { thumbprint } : {}),
  });
  if (trust.mode === 'insecure') {
    io.warn(
      '--insecure: the NSX Manager certificate is not verified; anyone on the path can read the password',
    );
  }
  const timeoutMs = callTimeoutMs(flags.timeout, io.env);
  const password = await resolvePassword(flags, io, username);
  registerSecret(password);
  return { url, username, password, trust, timeoutMs };
}

async function resolvePassword(
  flags: NsxConnectionFlags,
  io: ResolveIo,
  username: string,
): Promise<string> {
  if (flags.passwordStdin) {
    const first = (await io.readStdin()).split(/\r?\n/)[0] ?? '';
    if (first === '') throw new InputError('--password-stdin: stdin held no password');
    return first;
  }
  const fromEnv = io.env.DRPERM_NSX_PASSWORD;
  if (fromEnv) return fromEnv;
  if (io.stdinIsTTY) {
    const typed = await io.prompt(`NSX password for ${username}: `);
    if (typed === '') throw new InputError('no NSX password typed');
    return typed;
  }
  throw new InputError('no NSX password given', {
    hint: 'pipe it with --password-stdin, set DRPERM_NSX_PASSWORD, or run on a terminal to be asked',
  });
}

function defaultIo(): ResolveIo {
  return {
    env: process.env,
    readStdin: readPasswordFromStdin,
    stdinIsTTY: process.stdin.isTTY === true,
    prompt: promptPassword,
    warn: (m) => process.stderr.write(`warning: ${m}\n`),
  };
}

/** Resolves the settings (asking for the password if needed), then works with a connected client. */
export async function onNsx<T>(
  flags: NsxConnectionFlags,
  log: Logger,
  fn: (client: NsxClient, settings: NsxConnectionSettings) => Promise<T>,
): Promise<T> {
  const settings = await resolveNsxConnection(flags, { ...defaultIo(), warn: (m) => log.warn(m) });
  return withNsxClient(settings, log, fn);
}
