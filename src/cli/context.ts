/** What every command gets from the global options. */
import { escapeControl } from '../util/escape';
import { createLogger, type Logger } from '../util/log';

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
}

export function makeContext(opts: GlobalOptions): CommandContext {
  return {
    log: createLogger({ verbose: opts.verbose === true, quiet: opts.quiet === true }),
    out: (text) => {
      const safe = escapeControl(text, { keepLayout: true });
      process.stdout.write(safe.endsWith('\n') ? safe : safe + '\n');
    },
    interactive: process.stderr.isTTY === true,
  };
}

/** Prints a value as pretty JSON on stdout (the --json contract: stdout holds only this). */
export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.out(JSON.stringify(value, null, 2));
}
