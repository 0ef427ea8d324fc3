/** What every command gets from the global options. */
import type { Emit, OpsEvent } from '../ops/events';
import { escapeControl } from '../util/escape';
import { createLogger, type Logger } from '../util/log';
import { renderOthersChanged } from '../plan/tenant-render';
import { progressLine } from './progress';

export interface GlobalOptions {
  verbose?: boolean;
  quiet?: boolean;
}

export interface CommandContext {
  log: Logger;
  /** stdout, for data and results (never diagnostics). */
  out: (text: string) => void;
  /** True when stderr is a terminal: progress lines are shown. */
  interactive: boolean;
  /** -q: a successful run prints only the data it was asked for. */
  quiet: boolean;
  /** Renders the events of a use case on stderr. */
  emit: Emit;
}

export function makeContext(opts: GlobalOptions): CommandContext {
  const log = createLogger({ verbose: opts.verbose === true, quiet: opts.quiet === true });
  const interactive = process.stderr.isTTY === true;
  const ctx: CommandContext = {
    log,
    out: (text) => {
      // Names from files and servers may hold control characters: escaped on the way out.
      const safe = escapeControl(text, { keepLayout: true });
      process.stdout.write(safe.endsWith('\n') ? safe : safe + '\n');
    },
    interactive,
    quiet: opts.quiet === true,
    emit: () => undefined,
  };
  ctx.emit = eventRenderer(ctx);
  return ctx;
}

/** How the CLI shows each event: progress on one rewritten terminal line, the rest as log lines. */
export function eventRenderer(ctx: Pick<CommandContext, 'log' | 'interactive'>): Emit {
  const progress = progressLine(ctx);
  return (e: OpsEvent) => {
    switch (e.type) {
      case 'progress':
        return progress.update(e.message);
      case 'progress-done':
        return progress.done();
      case 'info':
        return ctx.log.info(e.message);
      case 'warning':
        return ctx.log.warn(e.message);
      case 'debug':
        return ctx.log.debug(e.message);
      case 'change': {
        const o = e.outcome;
        const status = o.status === 'done' ? 'done, verified' : o.status;
        return ctx.log.info(
          `[${e.finished}/${e.total}] ${o.change.action} ${o.change.entity.path}: ${status}${o.error ? ` (${o.error})` : ''}${o.note ? ` (${o.note})` : ''}`,
        );
      }
      case 'others-changed': {
        // Changes found during the run are listed with its result (renderExecution, stdout).
        if (e.since === 'during-run') return;
        const what =
          'changed by someone else since the last, unfinished run of this tenant; not touched';
        for (const line of renderOthersChanged(e.changes, e.backupFile, what)) {
          ctx.log.warn(`tenant ${e.tenant}: ${line.trim()}`);
        }
        return;
      }
    }
  };
}

/** Prints a value as pretty JSON on stdout (the --json contract: stdout holds only this). */
export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.out(JSON.stringify(value, null, 2));
}
