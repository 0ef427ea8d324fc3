/**
 * What a use case tells the person running it while it works. Use cases emit typed events;
 * the CLI decides how to show them (progress line on a terminal, stderr lines, nothing with
 * --quiet). No layer parses another's text.
 */
import type { Logger } from '../util/log';
import type { ChangeOutcome } from '../plan/apply';

export type OpsEvent =
  /** A short note on long work, replaced by the next one (shown on a terminal only). */
  | { type: 'progress'; message: string }
  /** Long work finished: the progress line goes away. */
  | { type: 'progress-done' }
  | { type: 'info'; message: string }
  | { type: 'warning'; message: string }
  /** Shown with --verbose only. */
  | { type: 'debug'; message: string }
  /** One permission change finished (apply and rollback), verified or not. */
  | { type: 'change'; outcome: ChangeOutcome; finished: number; total: number };

export type Emit = (event: OpsEvent) => void;

/** For callers (tests, libraries) that do not listen. */
export const ignoreEvents: Emit = () => undefined;

export const info = (emit: Emit, message: string): void => emit({ type: 'info', message });
export const warn = (emit: Emit, message: string): void => emit({ type: 'warning', message });
export const debug = (emit: Emit, message: string): void => emit({ type: 'debug', message });

/** A Logger for the lower layers that take one (the NSX collector): its lines become events. */
export function eventLogger(emit: Emit): Logger {
  return {
    verbose: false,
    debug: (message) => emit({ type: 'debug', message }),
    info: (message) => emit({ type: 'info', message }),
    warn: (message) => emit({ type: 'warning', message }),
    error: (message) => emit({ type: 'warning', message }),
  };
}
