/**
 * Connection settings shared by every vCenter command: flags, then DRPERM_* variables, then
 * govc's GOVC_* variables, so a partner's existing govc set-up works as is. There is no
 * --password flag: command lines are visible to other users of the machine.
 */
import type { Command } from 'commander';
import { InputError } from '../util/errors';
import { registerSecret, type Logger } from '../util/log';
import { CONNECT_TIMEOUT_MS, callTimeoutMs, DEFAULT_CALL_TIMEOUT_S } from '../net/timeouts';
import { parseThumbprint } from '../net/tls';
import { DEFAULT_MAX_IN_FLIGHT, type VimClient } from '../vsphere/client';
import { withSession, type SessionControl, type SessionSettings } from '../vsphere/session';
import type { ConnectOptions } from '../vsphere/types';
import { normaliseUrl } from '../ops/connect';
import { promptPassword, readPasswordFromStdin } from './password-prompt';

export interface ConnectionFlags {
  url?: string;
  username?: string;
  insecure?: boolean;
  caFile?: string;
  thumbprint?: string;
  passwordStdin?: boolean;
  timeout?: string;
  /** Global --debug-dir: SOAP bodies go to files there. */
  debugDir?: string;
  /** --concurrency of the commands that change permissions: that many requests may be in flight. */
  concurrency?: string;
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option(
      '--url <url>',
      'vCenter URL or host name (env DRPERM_URL, GOVC_URL); /sdk is added when no path is given',
    )
    .option(
      '--username <name>',
      'user name, e.g. administrator@vsphere.local (env DRPERM_USERNAME, GOVC_USERNAME)',
    )
    .option(
      '--password-stdin',
      'read the password from standard input (otherwise env DRPERM_PASSWORD, GOVC_PASSWORD, or a prompt on a terminal)',
    )
    .option(
      '--ca-file <file>',
      'PEM file with the CA that signed the vCenter certificate (env DRPERM_CA_FILE)',
    )
    .option(
      '--thumbprint <hex>',
      'pin the server certificate by its SHA-256 or SHA-1 thumbprint, as govc prints it (env DRPERM_THUMBPRINT)',
    )
    .option(
      '--insecure',
      'do not verify the server certificate (env DRPERM_INSECURE, GOVC_INSECURE); not recommended',
    )
    .option(
      '--timeout <seconds>',
      `seconds one call to vCenter may take (env DRPERM_TIMEOUT; default ${DEFAULT_CALL_TIMEOUT_S}); connecting is bounded by ${CONNECT_TIMEOUT_MS / 1000} s`,
    );
}

export interface ResolveEnvironment {
  env?: NodeJS.ProcessEnv;
  /** Whether stdin is a terminal (a prompt is possible). */
  stdinIsTty?: boolean;
  readStdin?: () => Promise<string>;
  prompt?: (question: string) => Promise<string>;
}

function firstSet(...values: Array<string | undefined>): string | undefined {
  return values.find((v) => v !== undefined && v !== '');
}

/** govc-compatible booleans: 1/true/yes/on and 0/false/no/off, any case. */
export function parseBoolEnv(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.trim().toLowerCase();
  if (['1', 't', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'f', 'false', 'no', 'off'].includes(v)) return false;
  throw new InputError(`${name}="${value}" is not a boolean`, {
    hint: `use ${name}=1 or ${name}=0`,
  });
}

/**
 * Connection settings from a command's parsed options (the flags of addConnectionOptions;
 * any other options of the command are ignored), the environment, stdin or a prompt.
 */
export async function resolveConnection(
  commandOptions: ConnectionFlags | object,
  log: Logger,
  io: ResolveEnvironment = {},
): Promise<ConnectOptions> {
  const opts = commandOptions as ConnectionFlags;
  const env = io.env ?? process.env;
  const rawUrl = firstSet(opts.url, env.DRPERM_URL, env.GOVC_URL);
  if (rawUrl === undefined) {
    throw new InputError('no vCenter URL given', {
      hint: 'pass --url https://vcenter.example.com/sdk or set DRPERM_URL (GOVC_URL works too)',
    });
  }
  const fromUrl = normaliseUrl(rawUrl);
  registerSecret(fromUrl.password);
  if (fromUrl.password !== undefined && opts.url !== undefined) {
    log.warn(
      'a password in --url is visible to other users of this machine; use DRPERM_PASSWORD or --password-stdin',
    );
  }

  const username = firstSet(
    opts.username,
    env.DRPERM_USERNAME,
    env.GOVC_USERNAME,
    fromUrl.username,
  );
  if (username === undefined) {
    throw new InputError('no user name given', {
      hint: 'pass --username administrator@vsphere.local or set DRPERM_USERNAME (GOVC_USERNAME works too)',
    });
  }

  const password = await resolvePassword(opts, env, fromUrl.password, username, io);
  registerSecret(password);

  const insecure =
    opts.insecure === true ||
    (parseBoolEnv('DRPERM_INSECURE', env.DRPERM_INSECURE) ??
      parseBoolEnv('GOVC_INSECURE', env.GOVC_INSECURE) ??
      false);
  const caFile = firstSet(opts.caFile, env.DRPERM_CA_FILE);
  const thumbprint = firstSet(opts.thumbprint, env.DRPERM_THUMBPRINT);
  if (thumbprint !== undefined) parseThumbprint(thumbprint); // fail early with a usage error

  const timeoutMs = callTimeoutMs(opts.timeout, env);

  const options: ConnectOptions = { url: fromUrl.url, username, password, timeoutMs };
  if (insecure) options.insecure = true;
  if (caFile !== undefined) options.caFile = caFile;
  if (thumbprint !== undefined) options.thumbprint = thumbprint;
  if (opts.debugDir !== undefined) options.debugDir = opts.debugDir;
  const concurrency = Number(opts.concurrency);
  if (Number.isInteger(concurrency) && concurrency > DEFAULT_MAX_IN_FLIGHT)
    options.maxInFlight = concurrency;
  return options;
}

async function resolvePassword(
  opts: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  urlPassword: string | undefined,
  username: string,
  io: ResolveEnvironment,
): Promise<string> {
  if (opts.passwordStdin) {
    const password = await (io.readStdin ?? readPasswordFromStdin)();
    if (password === '')
      throw new InputError('--password-stdin was given but standard input was empty');
    return password;
  }
  const fromEnv = firstSet(env.DRPERM_PASSWORD, env.GOVC_PASSWORD, urlPassword);
  if (fromEnv !== undefined) return fromEnv;
  const tty = io.stdinIsTty ?? process.stdin.isTTY === true;
  if (tty) {
    const password = await (io.prompt ?? promptPassword)(`Password for ${username}: `);
    if (password === '') throw new InputError('no password entered');
    return password;
  }
  throw new InputError('no password given', {
    hint: 'set DRPERM_PASSWORD, pipe it with --password-stdin (e.g. `pass show vc | drperm collect --password-stdin`), or run on a terminal to be prompted',
  });
}

/** Resolves the connection flags (asking for the password if needed), then runs the work in a session. */
export async function onVcenter<T>(
  opts: ConnectionFlags,
  ctx: { log: Logger },
  work: (client: VimClient, control: SessionControl) => Promise<T>,
  settings?: SessionSettings,
): Promise<T> {
  const connection = await resolveConnection(opts, ctx.log);
  return withSession(connection, ctx.log, work, settings);
}
