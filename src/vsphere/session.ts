/** A vCenter session whose logout is guaranteed: on success, on errors, and on Ctrl-C / SIGTERM. */
import type { Logger } from '../util/log';
import { VimClient } from './client';
import type { ConnectOptions } from './types';

type StopSignal = 'SIGINT' | 'SIGTERM';
const SIGNAL_EXIT_CODES: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };
/** A logout must not keep an interrupted user waiting for long. */
const LOGOUT_GRACE_MS = 5000;

export interface SessionSettings {
  /**
   * For work that changes vCenter: the first Ctrl-C / SIGTERM only aborts `interrupted`, so
   * the work finishes (and verifies) what is in flight, reports, and the session is then
   * logged out as usual. A second signal logs out and exits at once.
   */
  finishOnSignal?: boolean;
}

export interface SessionControl {
  /** Aborted when Ctrl-C / SIGTERM arrives (only with finishOnSignal; otherwise the process exits). */
  interrupted: AbortSignal;
}

export async function withSession<T>(
  options: ConnectOptions,
  log: Logger,
  fn: (client: VimClient, control: SessionControl) => Promise<T>,
  settings: SessionSettings = {},
): Promise<T> {
  const client = await VimClient.connect(options, log);
  const interrupt = new AbortController();
  const exitNow = (signal: StopSignal) => {
    log.warn(`${signal} received: logging out of vCenter`);
    const timer = setTimeout(() => process.exit(SIGNAL_EXIT_CODES[signal]), LOGOUT_GRACE_MS);
    void client.logout().finally(() => {
      clearTimeout(timer);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    });
  };
  const onSignal = (signal: StopSignal) => {
    if (settings.finishOnSignal === true && !interrupt.signal.aborted) {
      log.warn(
        `${signal} received: finishing and verifying the changes in flight, then stopping (press Ctrl-C again to log out and quit at once)`,
      );
      interrupt.abort(signal);
      return;
    }
    exitNow(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(client, { interrupted: interrupt.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await client.logout();
  }
}
