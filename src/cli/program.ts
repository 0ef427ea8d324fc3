/**
 * The drperm command tree. Each command module registers itself with a
 * `register(program)` function; this file only assembles them and owns the
 * global options and help text.
 */
import { Command } from 'commander';
import { VERSION } from '../version';

const EXIT_CODES_HELP = `
Exit codes:
  0  success, nothing to report
  1  findings, drift or differences were reported
  2  usage or input error (bad flag, bad file, a change refused)
  3  connection, TLS, authentication or server error`;

export function buildProgram(): Command {
  const program = new Command('drperm')
    .description(
      'Configure and audit the vCenter permissions Azure Site Recovery needs in multi-tenant VMware hosting.',
    )
    .version(VERSION, '-V, --version')
    .option('-v, --verbose', 'log each server call (secrets redacted) and other details on stderr')
    .option('-q, --quiet', 'print only results and errors')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);
  program.configureHelp({ sortSubcommands: false, showGlobalOptions: true });
  return program;
}
