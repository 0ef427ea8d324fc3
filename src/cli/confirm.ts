/**
 * The one confirmation question every command that changes vCenter (or NSX) asks
 * before acting. Scripts and CI pass --yes; without a terminal to ask on and without
 * --yes, we refuse rather than guess, so that a cron job never changes permissions
 * by accident.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { InputError } from '../util/errors';
import type { CommandContext } from './context';

/** Where the question is asked. Defaults to the process's stdin/stderr; tests pass their own streams. */
export interface ConfirmIo {
  input: Readable;
  /** The question goes to stderr, never stdout: stdout is reserved for data (--json). */
  output: Writable;
  isTTY: boolean;
}

export interface ConfirmOptions {
  /** --yes: do not ask. */
  yes?: boolean;
  ctx: CommandContext;
  io?: ConfirmIo;
}

/**
 * Resolves true when the user agreed (or passed --yes), false when they declined.
 * Throws InputError (exit 2) when no terminal is available and --yes is absent.
 */
export async function confirm(question: string, opts: ConfirmOptions): Promise<boolean> {
  if (opts.yes === true) {
    opts.ctx.log.debug(`--yes given: not asking "${question}"`);
    return true;
  }
  const io = opts.io ?? {
    input: process.stdin,
    output: process.stderr,
    isTTY: process.stdin.isTTY === true,
  };
  if (!io.isTTY) {
    throw new InputError(`refusing to continue without confirmation: ${question}`, {
      hint: 'stdin is not a terminal; pass --yes to confirm non-interactively (scripts, CI)',
    });
  }
  return ask(question, io);
}

/** The default is No: only an explicit y/yes goes ahead. */
export function isYes(answer: string): boolean {
  return /^\s*y(es)?\s*$/i.test(answer);
}

function ask(question: string, io: ConfirmIo): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.input, output: io.output, terminal: false });
    let answered = false;
    rl.question(`${question} [y/N] `, (answer) => {
      answered = true;
      rl.close();
      resolve(isYes(answer));
    });
    // End of input (Ctrl-D) without an answer means no.
    rl.on('close', () => {
      if (!answered) {
        io.output.write('\n');
        resolve(false);
      }
    });
  });
}
