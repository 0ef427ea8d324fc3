import { backoffDelayMs, DEFAULT_RETRY, shouldRetry } from '../../../src/net/retry';

describe('retry policy', () => {
  const net = { kind: 'network' as const, code: 'ECONNRESET' };
  it('retries read-only calls on network errors and 503 only', () => {
    expect(shouldRetry(net, true, 1, DEFAULT_RETRY)).toBe(true);
    expect(shouldRetry({ kind: 'http', status: 503 }, true, 1, DEFAULT_RETRY)).toBe(true);
    expect(shouldRetry({ kind: 'http', status: 500 }, true, 1, DEFAULT_RETRY)).toBe(false);
    expect(shouldRetry({ kind: 'http', status: 404 }, true, 1, DEFAULT_RETRY)).toBe(false);
    expect(
      shouldRetry(
        { kind: 'network', code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
        true,
        1,
        DEFAULT_RETRY,
      ),
    ).toBe(false);
  });
  it('never retries writes', () => {
    expect(shouldRetry(net, false, 1, DEFAULT_RETRY)).toBe(false);
    expect(shouldRetry({ kind: 'http', status: 503 }, false, 1, DEFAULT_RETRY)).toBe(false);
  });
  it('stops after maxAttempts', () => {
    expect(shouldRetry(net, true, DEFAULT_RETRY.maxAttempts - 1, DEFAULT_RETRY)).toBe(true);
    expect(shouldRetry(net, true, DEFAULT_RETRY.maxAttempts, DEFAULT_RETRY)).toBe(false);
  });
  it('backs off exponentially up to the cap, with bounded jitter', () => {
    const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, policy, mid))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(backoffDelayMs(1, policy, () => 0)).toBe(80);
    expect(backoffDelayMs(1, policy, () => 1)).toBe(120);
  });
});
