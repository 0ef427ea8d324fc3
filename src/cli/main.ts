/** Runs the CLI: builds the program, maps errors to exit codes, and prints them without stack traces. */
import { CommanderError } from 'commander';
import { DrpermError, ExitCode } from '../util/errors';
import { escapeControl } from '../util/escape';
import { flushDeferredWarnings, redact } from '../util/log';
import { buildProgram } from './program';
import { registerCommands } from './commands';
import { exitCodeOf } from './run';

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  registerCommands(program, argv);
  try {
    await program.parseAsync(argv);
    const code = exitCodeOf(program);
    flushDeferredWarnings(code !== ExitCode.Ok);
    return code;
  } catch (err) {
    // -q held the warnings back; a failure shows them, before the error that ends the run.
    flushDeferredWarnings(true);
    return reportError(err, program.opts<{ verbose?: boolean }>().verbose === true);
  }
}

export function reportError(err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) {
    // --help and --version are successes; help shown because a command is missing is a usage
    // error. Commander has already printed the message either way.
    // (`drperm help X` and a missing subcommand share a code; only the exit code tells them apart.)
    return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  }
  if (err instanceof DrpermError) {
    printErr(`drperm: ${err.message}\n`);
    if (err.hint) printErr(`hint: ${err.hint}\n`);
    if (verbose && err.cause instanceof Error && err.cause.stack) {
      printErr(`cause: ${err.cause.stack}\n`);
    }
    return err.exitCode;
  }
  const e = err as Error;
  printErr(`drperm: internal error: ${e?.message ?? String(err)}\n`);
  if (verbose && e?.stack) printErr(e.stack + '\n');
  process.stderr.write('This is a bug in drperm; please report it with the output of --verbose.\n');
  return ExitCode.Server;
}

/** stderr, secrets redacted and control characters escaped (names in messages come from files and servers). */
function printErr(text: string): void {
  process.stderr.write(escapeControl(redact(text), { keepLayout: true }));
}
