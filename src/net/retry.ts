/**
 * When a failed call may be repeated: only read-only methods, only on network errors and
 * HTTP 503, with exponential backoff. Writes are never repeated blindly: a lost response
 * does not tell whether the server applied the change. A call that ran into its own timeout
 * (connect + handshake, or --timeout) is not repeated either: a server that stays silent
 * once is waited for once, so the user's bound holds.
 */
export interface RetryPolicy {
  /** Attempts in total, including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 4000 };

/** Node socket error codes that mean "the request may not have reached the server or the answer was lost". */
const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

/** What went wrong with one attempt, as the retry decision sees it. */
export type AttemptFailure =
  { kind: 'network'; code: string } | { kind: 'http'; status: number } | { kind: 'other' };

export function isTransient(failure: AttemptFailure): boolean {
  if (failure.kind === 'network') return NETWORK_ERROR_CODES.has(failure.code);
  if (failure.kind === 'http') return failure.status === 503;
  return false;
}

export function shouldRetry(
  failure: AttemptFailure,
  readOnly: boolean,
  attempt: number,
  policy: RetryPolicy,
): boolean {
  return readOnly && attempt < policy.maxAttempts && isTransient(failure);
}

/** Delay before attempt `attempt + 1` (attempt counts from 1): base·2^(attempt-1), capped, with ±20% jitter. */
export function backoffDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jitter = 0.8 + 0.4 * random();
  return Math.round(exp * jitter);
}
