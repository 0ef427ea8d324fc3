/**
 * Every outside wait is bounded: the TCP connection and TLS handshake within a fixed time,
 * and each call (request sent, whole answer read) within --timeout seconds (env
 * DRPERM_TIMEOUT). The same bounds for vCenter and NSX Manager.
 */
import { InputError } from '../util/errors';

/** TCP connect plus TLS handshake: a server that accepts and stays silent is not waited for. */
export const CONNECT_TIMEOUT_MS = 15_000;

/** Default bound of one call, in seconds: a large page of a large inventory takes a while. */
export const DEFAULT_CALL_TIMEOUT_S = 120;

/** `--timeout <seconds>`, else DRPERM_TIMEOUT, else the default; in milliseconds. */
export function callTimeoutMs(flag: string | undefined, env: NodeJS.ProcessEnv): number {
  if (flag !== undefined && flag !== '') return parseSeconds('--timeout', flag);
  const fromEnv = env.DRPERM_TIMEOUT;
  if (fromEnv !== undefined && fromEnv !== '') return parseSeconds('DRPERM_TIMEOUT', fromEnv);
  return DEFAULT_CALL_TIMEOUT_S * 1000;
}

function parseSeconds(source: string, value: string): number {
  const seconds = Number(value.trim());
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
    throw new InputError(`${source} "${value}" is not a number of seconds`, {
      hint: `give the seconds one call may take, e.g. ${source === '--timeout' ? '--timeout 300' : 'DRPERM_TIMEOUT=300'} (default ${DEFAULT_CALL_TIMEOUT_S})`,
    });
  }
  return Math.round(seconds * 1000);
}

/** `2 s`, `1.5 s`: how messages state a bound. */
export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
