/** A vCenter session whose logout is guaranteed: on success, on errors, and on Ctrl-C / SIGTERM. */
import type { Logger } from '../util/log';
import { VimClient } from './client';
import type { ConnectOptions } from './types';

const SIGNAL_EXIT_CODES: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };
/** A logout must not keep an interrupted user waiting for long. */
const LOGOUT_GRACE_MS = 5000;

export async function withSession<T>(
  options: ConnectOptions,
  log: Logger,
  fn: (client: VimClient) => Promise<T>,
): Promise<T> {
  const client = await VimClient.connect(options, log);
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    log.warn(`${signal} received: logging out of vCenter`);
    const timer = setTimeout(() => process.exit(SIGNAL_EXIT_CODES[signal]), LOGOUT_GRACE_MS);
    void client.logout().finally(() => {
      clearTimeout(timer);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn(client);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await client.logout();
  }
}
