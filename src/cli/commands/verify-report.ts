/**
 * `drperm verify-report`: checks a report file against its detached Ed25519 signature
 * (written by `drperm audit --sign`), so an auditor can tell it was not edited since.
 */
import type { Command } from 'commander';
import { loadVerifyKey, verifyFile } from '../../report/signature';
import { ExitCode, InputError } from '../../util/errors';
import { makeContext, printJson, type GlobalOptions } from '../context';
import { run } from '../run';

interface VerifyFlags extends GlobalOptions {
  key: string;
  signature?: string;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  # the signature is the file beside the report, <report>.sig
  $ drperm verify-report reports/2026-12-01T00-00-00Z/drperm-audit-2026-12-01T00-00-00Z.xlsx \\
      --key audit-key.pub.pem

  # several files at once, as JSON
  $ drperm verify-report reports/run/*.json reports/run/*.xlsx --key audit-key.pub.pem --json

Keys (PEM): make a pair with
  $ openssl genpkey -algorithm ed25519 -out audit-key.pem
  $ openssl pkey -in audit-key.pem -pubout -out audit-key.pub.pem
Sign with the private key (drperm audit --sign audit-key.pem); give auditors the public key.

Exit codes: 0 every signature valid, 1 a file does not match its signature,
2 a file, signature or key cannot be read or is not of the expected kind.`;

export function register(program: Command): void {
  program
    .command('verify-report')
    .description('check report files against their detached signatures (drperm audit --sign)')
    .argument('<report...>', 'report files (.json, .xlsx, .md) to check')
    .requiredOption('--key <file>', 'Ed25519 public key (PEM, SPKI) of the signer')
    .option('--signature <file>', 'the signature file, when not <report>.sig (one report only)')
    .option('--json', 'print one { file, valid, message } per report on stdout')
    .addHelpText('after', EXAMPLES)
    .action(
      run(async (reports: string[], _opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<VerifyFlags>();
        const ctx = makeContext(opts);
        if (opts.signature !== undefined && reports.length > 1) {
          throw new InputError(
            '--signature names the signature of one report; several were given',
            {
              hint: 'omit --signature: each report is checked against <report>.sig',
            },
          );
        }
        const key = await loadVerifyKey(opts.key);
        const results: Array<{ file: string; valid: boolean; message: string }> = [];
        for (const file of reports) {
          const r = await verifyFile(file, key, opts.signature);
          results.push({ file, ...r });
        }
        if (opts.json) printJson(ctx, results);
        else for (const r of results) ctx.out(r.message);
        return results.some((r) => !r.valid) ? ExitCode.Findings : ExitCode.Ok;
      }),
    );
}
