/**
 * The drperm command tree. Each command module registers itself with a
 * `register(program)` function; this file only assembles them and owns the
 * global options and help text.
 */
import { Command } from 'commander';
import { VERSION } from '../version';

const EXIT_CODES_HELP = `
A partner's first run (connection from DRPERM_URL, DRPERM_USERNAME, DRPERM_PASSWORD):
  $ drperm role apply                               # the Azure_Site_Recovery role
  $ drperm tenant plan  --tenant policies/tenants/  # what onboarding would change
  $ drperm tenant apply --tenant policies/tenants/  # back up, apply, verify
  $ drperm audit --tenants policies/tenants/        # prove isolation; workbook in reports/

An auditor without vCenter access, from a snapshot:
  $ drperm audit --tenants tenants/ --snapshot vc01-snapshot.json --membership groups.yaml

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
    .option('-v, --verbose', 'log one line per server call (method, status, time, size) on stderr')
    .option(
      '--debug-dir <dir>',
      'write every vCenter SOAP request and response to files in DIR, secrets redacted (as govc -debug)',
    )
    .option(
      '-q, --quiet',
      'print nothing on success but results asked for; warnings only on failure',
    )
    .showHelpAfterError('(run with --help for usage)')
    // Before any subcommand is added, so that they inherit it: usage errors exit 2, not 1.
    .exitOverride()
    .addHelpText('after', EXIT_CODES_HELP);
  program.configureHelp({ sortSubcommands: false, showGlobalOptions: true });
  return program;
}
