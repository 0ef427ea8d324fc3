import { escapeControl } from '../util/escape';

export interface ProgressLine {
  update: (message: string) => void;
  done: () => void;
}

/** One rewritten progress line on stderr, only when stderr is a terminal (never in logs or pipes). */
export function progressLine(ctx: { interactive: boolean }): ProgressLine {
  if (!ctx.interactive) return { update: () => undefined, done: () => undefined };
  let shown = false;
  return {
    update: (m) => {
      process.stderr.write(`\r\x1b[K${escapeControl(m)}`);
      shown = true;
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}
