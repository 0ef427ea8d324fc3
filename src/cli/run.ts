/**
 * Exit codes travel back from the commands: an action returns its code (a use case's result
 * mapped by the command), and main() returns it. Errors carry theirs (DrpermError.exitCode).
 */
import type { Command } from 'commander';
import { ExitCode } from '../util/errors';

const codes = new WeakMap<Command, number>();

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/** Wraps a command action; the code it returns (0 when none) becomes the program's. */
export function run<A extends unknown[]>(
  action: (...args: A) => Promise<number | void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const cmd = args[args.length - 1] as Command;
    const code = await action(...args);
    codes.set(rootOf(cmd), code ?? ExitCode.Ok);
  };
}

/** The code the last action of this program returned. */
export function exitCodeOf(program: Command): number {
  return codes.get(program) ?? ExitCode.Ok;
}
