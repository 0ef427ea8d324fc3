/**
 * `drperm nsx ...`: NSX Manager RBAC on Azure VMware Solution (issue 5).
 *   nsx collect                 features, roles and bindings into an NSX snapshot file
 *   nsx audit                   nsx-unsupported-role, nsx-role-exceeds-cloudadmin, nsx-cross-tenant-binding
 *   nsx role plan|apply NAME    the AVS Network Admin / AVS Security Admin custom roles (README "NSX")
 */
import type { Command } from 'commander';
import { DEFAULT_FAIL_ON, parseSeverity, SEVERITIES } from '../../audit/types';
import { loadNsxBaseline } from '../../policy/nsx-baseline';
import { addNsxConnectionOptions, onNsx, type NsxConnectionFlags } from '../nsx-connection';
import { recipeFor } from '../../nsx/custom-roles';
import { formatNsxAudit } from '../../nsx/format';
import { readNsxSnapshot } from '../../nsx/snapshot-file';
import {
  applyNsxRole,
  auditNsxData,
  collectNsxData,
  collectNsxToFile,
  planNsxRole,
} from '../../ops/nsx';
import { loadTenantPolicies } from '../../policy/tenant-policy';
import { pending, planSummaryLine, rolePlanCounts } from '../../plan/plan-summary';
import { ExitCode } from '../../util/errors';
import { checkWritableFile } from '../../util/out-path';
import { confirm } from '../confirm';
import { makeContext, printJson, type CommandContext, type GlobalOptions } from '../context';
import { run } from '../run';
import { addTenantFilesOption, tenantFiles, type TenantFileFlags } from '../tenant-option';

interface CommonFlags extends GlobalOptions, NsxConnectionFlags {
  json?: boolean;
  baseline?: string;
}

export function register(program: Command): void {
  const nsx = program
    .command('nsx')
    .description(
      'NSX Manager roles and bindings on Azure VMware Solution: collect, audit, AVS custom roles',
    );
  registerCollect(nsx);
  registerAudit(nsx);
  registerRole(nsx);
}

function registerCollect(nsx: Command): void {
  addNsxConnectionOptions(
    nsx
      .command('collect')
      .description('read NSX features, roles and role bindings into an NSX snapshot file')
      .option(
        '--out <file>',
        'NSX snapshot file (default reports/nsx-snapshot-<manager>-<UTC time>.json)',
      )
      .option('--json', 'print the result as JSON on stdout'),
  )
    .addHelpText(
      'after',
      `
The NSX snapshot is a file of its own (format drperm-nsx-snapshot): NSX Manager is a different
server with different credentials. \`drperm nsx audit --snapshot FILE\` reads it.

Example:
  $ export DRPERM_NSX_URL=https://nsx.example.net DRPERM_NSX_USERNAME=cloudadmin
  $ pass show nsx | drperm nsx collect --password-stdin --thumbprint 3F:9A:...:C2`,
    )
    .action(
      run(async (_opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<CommonFlags & { out?: string }>();
        const ctx = makeContext(opts);
        await checkWritableFile(opts.out ?? 'reports/nsx-snapshot.json', '--out');
        const result = await onNsx(opts, ctx.log, (client, s) =>
          collectNsxToFile(client, s.username, opts.out, ctx.emit),
        );
        if (opts.json) return printJson(ctx, result);
        ctx.out(
          `wrote ${result.path}: ${result.counts.features} features, ${result.counts.roles} roles, ${result.counts.bindings} bindings\nSHA-256 ${result.sha256}`,
        );
      }),
    );
}

function registerAudit(nsx: Command): void {
  addNsxConnectionOptions(
    addTenantFilesOption(
      nsx
        .command('audit')
        .description(
          "check NSX roles and bindings against AVS's supported roles, cloudadmin's limits and tenant isolation",
        ),
      'tenants',
      'tenant policy files or directories (their nsx: principals and paths)',
    )
      .option(
        '--snapshot <file>',
        'audit an NSX snapshot (from `drperm nsx collect`) instead of a live manager',
      )
      .option(
        '--baseline <file>',
        'AVS NSX baseline (default: the shipped policies/baselines/avs-nsx-cloudadmin.yaml)',
      )
      .option(
        '--fail-on <severity>',
        `exit 1 on findings of this severity or above (${SEVERITIES.join(', ')}); the same default as audit`,
        DEFAULT_FAIL_ON,
      )
      .option('--json', 'print the result as JSON on stdout'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ drperm nsx audit --tenants policies/tenants/ --snapshot reports/nsx.json   # offline
  $ drperm nsx audit --tenants policies/tenants/ --fail-on critical            # live
  $ drperm nsx audit --tenants policies/tenants/ --snapshot reports/nsx.json --json

Rules:
  nsx-unsupported-role         high      an LDAP user or group bound to a role AVS does not support
  nsx-role-exceeds-cloudadmin  high      a custom role holding more than cloudadmin on some feature
  nsx-cross-tenant-binding     critical  a tenant's principal bound on another tenant's path,
                                         or one principal named by two tenants`,
    )
    .action(
      run(async (_opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<
          CommonFlags & TenantFileFlags & { snapshot?: string; failOn: string }
        >();
        const ctx = makeContext(opts);
        const failOn = parseSeverity(opts.failOn);
        const tenants = (await loadTenantPolicies(tenantFiles(opts))).map((t) => t.policy);
        const policy = await loadNsxBaseline(opts.baseline);
        const data = opts.snapshot
          ? (await readNsxSnapshot(opts.snapshot)).nsx
          : await onNsx(opts, ctx.log, (client, s) => collectNsxData(client, s.username, ctx.emit));
        const audit = auditNsxData(data, tenants, policy, failOn);
        const { baseline, findings } = audit;
        if (opts.json) {
          printJson(ctx, {
            manager: data.manager,
            collectedAt: data.collectedAt,
            source: opts.snapshot ? 'snapshot' : 'live',
            ...(opts.snapshot ? { snapshotFile: opts.snapshot } : {}),
            tenants: tenants.map((t) => t.tenant),
            baseline: {
              limitSource: baseline.limitSource,
              ...(baseline.cloudadmin ? { cloudadminRole: baseline.cloudadmin.id } : {}),
              unmatchedRows: baseline.unmatchedRows,
              notes: baseline.notes,
            },
            failOn,
            counts: audit.counts,
            findings,
            bindings: audit.rows,
          });
        } else {
          for (const line of formatNsxAudit(
            data,
            tenants.map((t) => t.tenant),
            baseline,
            findings,
          ))
            ctx.out(line);
        }
        return audit.failing > 0 ? ExitCode.Findings : ExitCode.Ok;
      }),
    );
}

function registerRole(nsx: Command): void {
  const role = nsx
    .command('role')
    .description("seed 003's AVS custom roles: avs-network-admin, avs-security-admin");
  const describe = `
Builds the role by cloning the manager's Network Admin or Security Admin role and lowering the
features seed 003 lists, refuses it if it would hold more than cloudadmin on any feature, and
compares it with the role on the manager. Nothing is sent when the role is already as built.`;

  addNsxConnectionOptions(
    role
      .command('plan <name>')
      .description('show what `nsx role apply` would change (nothing is changed)')
      .option('--baseline <file>', 'AVS NSX baseline with the role recipes')
      .option(
        '--detailed-exitcode',
        'exit 0 when there is nothing to do, 1 when changes are pending',
      )
      .option('--json', 'print the plan as JSON on stdout'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ drperm nsx role plan avs-network-admin
  $ drperm nsx role plan avs-security-admin --detailed-exitcode || echo "role differs"
  $ drperm nsx role plan avs-network-admin --json
${describe}
Exit code 0 (with --detailed-exitcode: 0 nothing to do, 1 changes pending); 2 for an unknown
role or one above cloudadmin; 3 for server errors.`,
    )
    .action(
      run(async (name: string, _opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<CommonFlags & { detailedExitcode?: boolean }>();
        return runRole(makeContext(opts), opts, name, 'plan');
      }),
    );

  addNsxConnectionOptions(
    role
      .command('apply <name>')
      .description('create or update the role on NSX Manager (PUT), after showing the difference')
      .option('--baseline <file>', 'AVS NSX baseline with the role recipes')
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--json', 'print the result as JSON on stdout'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ drperm nsx role apply avs-network-admin            # shows the difference, asks, PUTs, reads back
  $ drperm nsx role apply avs-security-admin --yes
${describe}`,
    )
    .action(
      run(async (name: string, _opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<CommonFlags & { yes?: boolean }>();
        return runRole(makeContext(opts), opts, name, 'apply');
      }),
    );
}

/** plan: show the difference (exit 1 when there is one); apply: show, ask, PUT and read back. */
async function runRole(
  ctx: CommandContext,
  opts: CommonFlags & { yes?: boolean; detailedExitcode?: boolean },
  name: string,
  mode: 'plan' | 'apply',
): Promise<ExitCode> {
  const policy = await loadNsxBaseline(opts.baseline);
  recipeFor(policy, name); // a typo fails before any password prompt or connection
  return onNsx(opts, ctx.log, async (client, s) => {
    const plan = await planNsxRole(client, s.username, policy, name, mode, ctx.emit);
    const { change, built } = plan;
    if (mode === 'plan' || change.action === 'none') {
      const counts = rolePlanCounts(change.action);
      if (opts.json) printJson(ctx, { mode, applied: false, change, role: built.role });
      else
        for (const l of [...plan.lines, ...(mode === 'plan' ? [planSummaryLine(counts)] : [])])
          ctx.out(l);
      // Plans exit 0; --detailed-exitcode makes pending changes exit 1 (as every plan command).
      return mode === 'plan' && opts.detailedExitcode === true && pending(counts)
        ? ExitCode.Findings
        : ExitCode.Ok;
    }
    // The difference is shown before the question, on stdout unless stdout carries JSON.
    for (const l of plan.lines) (opts.json ? ctx.log.info : ctx.out)(l);
    const ok = await confirm(
      `${change.action === 'create' ? 'Create' : 'Update'} NSX role ${built.role.id} on ${plan.data.manager.url}?`,
      { ...(opts.yes ? { yes: true } : {}), ctx },
    );
    if (!ok) {
      ctx.log.info('nothing changed');
      return ExitCode.Findings;
    }
    await applyNsxRole(client, plan);
    if (opts.json) printJson(ctx, { mode, applied: true, change, role: built.role });
    else
      ctx.out(
        `${change.action === 'create' ? 'created' : 'updated'} NSX role ${built.role.id} "${built.role.displayName}"`,
      );
    return ExitCode.Ok;
  });
}
