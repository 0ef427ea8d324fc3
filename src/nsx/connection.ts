/**
 * Where the NSX connection settings come from: flags, then DRPERM_NSX_* variables, and for
 * the password stdin (--password-stdin), DRPERM_NSX_PASSWORD, or a no-echo prompt on a
 * terminal. There is deliberately no password flag: it would show in `ps` and shell history.
 */
import type { Command } from 'commander';
import { InputError } from '../util/errors';
import { registerSecret, type Logger } from '../util/log';
import { CONNECT_TIMEOUT_MS, callTimeoutMs, DEFAULT_CALL_TIMEOUT_S } from '../net/timeouts';
import { trustPolicyFrom, type TrustPolicy } from '../net/tls';
import { NsxClient } from './client';

export interface NsxConnectionFlags {
  nsxUrl?: string;
  nsxUsername?: string;
  insecure?: boolean;
  caFile?: string;
  thumbprint?: string;
  passwordStdin?: boolean;
  timeout?: string;
}

export interface NsxConnectionSettings {
  url: string;
  username: string;
  password: string;
  trust: TrustPolicy;
  /** Bound of each call (--timeout, env DRPERM_TIMEOUT). */
  timeoutMs: number;
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
    readStdin,
    stdinIsTTY: process.stdin.isTTY === true,
    prompt: promptNoEcho,
    warn: (m) => process.stderr.write(`warning: ${m}\n`),
  };
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

/** Reads one line from the terminal without echoing it. */
function promptNoEcho(question: string): Promise<string> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let typed = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(typed);
          return;
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          process.stderr.write('\n');
          process.exit(130);
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Resolves the settings, connects, runs `fn`, and always closes the connection. */
export async function withNsxClient<T>(
  flags: NsxConnectionFlags,
  log: Logger,
  fn: (client: NsxClient, settings: NsxConnectionSettings) => Promise<T>,
): Promise<T> {
  const settings = await resolveNsxConnection(flags, { ...defaultIo(), warn: (m) => log.warn(m) });
  const client = await NsxClient.connect({ ...settings, log });
  try {
    return await fn(client, settings);
  } finally {
    client.close();
  }
}
