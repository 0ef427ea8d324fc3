/**
 * `drperm compare cloudadmin`: which privileges of the role the AVS CloudAdmin role
 * lacks (on AVS such a role can be created, but cloudadmin can neither assign nor
 * delete it), and the reverse. Works offline from the shipped files, from a snapshot,
 * or against a live vCenter.
 */
import type { Command } from 'commander';
import {
  compareCloudAdmin,
  liveComparisonServer,
  loadComparisonPolicies,
  snapshotComparisonServer,
  type ComparisonServer,
  type ComparisonSources,
} from '../../ops/compare';
import type { CloudAdminComparison } from '../../policy/cloudadmin';
import { ExitCode, InputError } from '../../util/errors';
import { addConnectionOptions, onVcenter, type ConnectionFlags } from '../connection';
import { makeContext, printJson, type CommandContext, type GlobalOptions } from '../context';
import { run } from '../run';

interface CompareOptions extends GlobalOptions, ConnectionFlags {
  role?: string;
  baseline?: string;
  live?: boolean;
  snapshot?: string;
  json?: boolean;
  failOnDiff?: boolean;
}

const HELP = `
Examples:
  $ drperm compare cloudadmin                          # the role against the documented list
  $ drperm compare cloudadmin --live                   # on AVS: against the live CloudAdmin role
  $ drperm compare cloudadmin --snapshot reports/vc01.json --json --fail-on-diff

Which CloudAdmin list is used:
  default        Microsoft's documented list (--baseline FILE, default the shipped
                 policies/baselines/avs-cloudadmin.yaml)
  --live         the CloudAdmin role of the connected vCenter; the documented list is then
                 compared with it too (AVS changes the role between releases)
  --snapshot F   a snapshot from \`drperm collect\`; if it holds a CloudAdmin role, that role
                 is used as with --live

Where VirtualMachine.Config.* ("VM Configuration: All") expands from:
  --live or --snapshot: the server's privilege catalogue.
  Neither: the concrete IDs the role and baseline files name, i.e. the baseline's 26
  VirtualMachine.Config entries plus the role's version-dependent VirtualMachine.Config.Unlock.
  Unlock is then reported as a gap, though a vSphere 8.x server does not define it.

Exit codes: 0 the comparison was made (differences are the normal result); 1 with
--fail-on-diff when the role holds privileges CloudAdmin lacks, or the live CloudAdmin role
differs from the documented list; 2 bad input; 3 server error.`;

export function register(program: Command): void {
  const compare = program.command('compare').description('compare a role with a reference role');

  addConnectionOptions(
    compare
      .command('cloudadmin')
      .description(
        "the role's privileges the AVS CloudAdmin role lacks (such a role cannot be assigned on AVS), and the reverse",
      )
      .option('--role <file>', 'role policy file (default: the shipped Azure_Site_Recovery role)')
      .option('--baseline <file>', 'documented CloudAdmin list (default: the shipped AVS list)')
      .option(
        '--live',
        'read the CloudAdmin role and the privilege catalogue from the connected vCenter',
      )
      .option(
        '--snapshot <file>',
        'take the privilege catalogue (and CloudAdmin role, if any) from a snapshot',
      )
      .option('--json', 'print the comparison as JSON on stdout')
      .option('--fail-on-diff', 'exit 1 when the role holds privileges CloudAdmin lacks')
      .addHelpText('after', HELP),
  ).action(
    run(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<CompareOptions>();
      const ctx = makeContext(opts);
      if (opts.live && opts.snapshot) {
        throw new InputError('--live and --snapshot are alternatives: give one of them');
      }
      const files = {
        ...(opts.role !== undefined ? { role: opts.role } : {}),
        ...(opts.baseline !== undefined ? { baseline: opts.baseline } : {}),
      };
      // Policy files are read before connecting, so a bad file fails without a server.
      const policies = await loadComparisonPolicies(files);
      const { result, sources, differs } = compareCloudAdmin(
        policies,
        await comparisonServer(opts, ctx),
        ctx.emit,
      );
      if (opts.json) printJson(ctx, { sources, ...result });
      else ctx.out(renderComparison(result, sources).join('\n'));
      return opts.failOnDiff && differs ? ExitCode.Findings : ExitCode.Ok;
    }),
  );
}

async function comparisonServer(
  opts: CompareOptions,
  ctx: CommandContext,
): Promise<ComparisonServer> {
  if (opts.live) return onVcenter(opts, ctx, liveComparisonServer);
  if (opts.snapshot) return snapshotComparisonServer(opts.snapshot);
  return { kind: 'none' };
}

export function renderComparison(
  result: CloudAdminComparison,
  sources: ComparisonSources,
): string[] {
  const lines: string[] = [
    `role:       ${sources.roleFile}`,
    `CloudAdmin: ${sources.cloudAdmin}`,
    `catalogue:  ${sources.catalogue}`,
  ];
  for (const s of result.role.skipped) lines.push(`note: role entry ${s.id} skipped: ${s.reason}`);
  lines.push('');
  if (result.beyondCloudAdmin.length === 0) {
    lines.push('The role holds no privilege beyond CloudAdmin: it can be assigned on AVS.');
  } else {
    lines.push(
      `In the role, not in CloudAdmin (${result.beyondCloudAdmin.length}): on AVS the role can be created,`,
      'but cloudadmin can neither assign nor delete it (use `drperm role apply --avs`):',
    );
    for (const p of result.beyondCloudAdmin) {
      lines.push(`  ${p.id}  ${p.label}${p.purpose ? `\n      needed to: ${p.purpose}` : ''}`);
    }
  }
  lines.push('', `In CloudAdmin, not in the role (${result.cloudAdminOnly.length}):`);
  for (const p of result.cloudAdminOnly) lines.push(`  ${p.id}  ${p.label}`);
  if (result.documentedVsServer) {
    const { documentedOnly, serverOnly } = result.documentedVsServer;
    lines.push('');
    if (documentedOnly.length + serverOnly.length === 0) {
      lines.push("The server's CloudAdmin role matches Microsoft's documented list.");
    } else {
      lines.push(`Documented for CloudAdmin but missing on the server (${documentedOnly.length}):`);
      for (const p of documentedOnly) lines.push(`  ${p.id}  ${p.label}`);
      lines.push(`On the server's CloudAdmin but not documented (${serverOnly.length}):`);
      for (const p of serverOnly) lines.push(`  ${p.id}  ${p.label}`);
    }
  }
  if (result.baselineSkipped.length > 0) {
    lines.push(
      '',
      `note: ${result.baselineSkipped.length} documented CloudAdmin entries are not defined by this catalogue and were left out of the comparison: ${result.baselineSkipped.map((s) => s.id).join(', ')}`,
    );
  }
  return lines;
}
