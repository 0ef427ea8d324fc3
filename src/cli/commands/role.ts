/**
 * `drperm role plan | apply`: the Azure_Site_Recovery role (README "Policy files") from its policy
 * file. The wildcard groups expand against the connected server's own catalogue; apply
 * shows the difference, asks, changes the role to exactly the policy's privileges, and
 * reads it back. `--avs` works on the AVS-assignable variant instead.
 */
import type { Command } from 'commander';
import { describeRolePlan } from '../../plan/role-plan';
import { applyRole, loadRolePolicies, planRole, type RolePlanReport } from '../../ops/role';
import { pending, planSummaryLine, rolePlanCounts } from '../../plan/plan-summary';
import { ExitCode, InputError } from '../../util/errors';
import { confirm } from '../confirm';
import { addConnectionOptions, onVcenter, type ConnectionFlags } from '../connection';
import { makeContext, printJson, type GlobalOptions } from '../context';
import { run } from '../run';

interface RoleOptions extends GlobalOptions, ConnectionFlags {
  role?: string;
  baseline?: string;
  avs?: boolean;
  json?: boolean;
  yes?: boolean;
  detailedExitcode?: boolean;
}

export function register(program: Command): void {
  const role = program
    .command('role')
    .description('the Azure_Site_Recovery vCenter role: compare it with its policy and apply it');

  addConnectionOptions(
    withRoleOptions(role.command('plan'))
      .description('show what `role apply` would change (nothing is changed)')
      .option(
        '--detailed-exitcode',
        'exit 0 when there is nothing to do, 1 when changes are pending',
      )
      .option('--json', 'print the plan as JSON on stdout')
      .addHelpText(
        'after',
        `
Examples:
  $ drperm role plan                                   # the shipped Azure_Site_Recovery policy
  $ drperm role plan --avs                             # on AVS: the variant CloudAdmin can assign
  $ drperm role plan --role my-role.yaml --detailed-exitcode || echo "role differs"

The policy's wildcards (VirtualMachine.Config.* = "VM Configuration: All") expand from the
server's privilege catalogue. System.Anonymous, System.View and System.Read are added by
vCenter to every role and are never reported as differences. The plan ends with one summary
line ("Plan: 1 to add, 0 to change, 0 to remove").
Exit code 0 (with --detailed-exitcode: 0 nothing to do, 1 changes pending); 2 for a bad
policy; 3 for server errors.`,
      ),
  ).action(
    run(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<RoleOptions>();
      const ctx = makeContext(opts);
      const policies = await loadRolePolicies(opts);
      const report = await onVcenter(opts, ctx, (client) => planRole(client, policies, ctx.emit));
      const counts = rolePlanCounts(report.plan.action);
      if (opts.json) printJson(ctx, report);
      else ctx.out([...renderReport(report), planSummaryLine(counts)].join('\n'));
      return opts.detailedExitcode === true && pending(counts) ? ExitCode.Findings : ExitCode.Ok;
    }),
  );

  addConnectionOptions(
    withRoleOptions(role.command('apply'))
      .description('create the role, or update it to exactly the policy, after showing the change')
      .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
      .option('--json', 'print the result as JSON on stdout (the plan goes to stderr)')
      .addHelpText(
        'after',
        `
Examples:
  $ drperm role apply                                  # shows the change, asks, applies, reads back
  $ drperm role apply --yes                            # in scripts (no terminal to ask on)
  $ drperm role apply --avs --yes                      # Azure_Site_Recovery_AVS on AVS

Roles are looked up by name, never by id. A second apply changes nothing and says so.
After the change the role is read back and compared with the policy again.
Exit code 0 when the role matches the policy afterwards; 2 when the confirmation is
declined or cannot be asked (no terminal and no --yes); 3 for server errors or a failed
read-back.`,
      ),
  ).action(
    run(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<RoleOptions>();
      const ctx = makeContext(opts);
      const policies = await loadRolePolicies(opts);
      await onVcenter(opts, ctx, async (client) => {
        const report = await planRole(client, policies, ctx.emit);
        // Show what will happen before anything changes: stdout normally, stderr with --json.
        const lines = renderReport(report);
        if (opts.json) lines.forEach((l) => ctx.log.info(l));
        else ctx.out(lines.join('\n'));
        const { plan } = report;
        if (plan.action !== 'unchanged') {
          const question =
            plan.action === 'create'
              ? `Create role ${plan.name} with ${plan.privileges.length} privileges?`
              : `Update role ${plan.name}: add ${plan.added.length}, remove ${plan.removed.length} privileges?`;
          if (!(await confirm(question, { yes: opts.yes, ctx }))) {
            throw new InputError('cancelled: nothing was changed');
          }
        }
        const applied = await applyRole(client, plan, ctx.emit);
        if (opts.json) {
          printJson(ctx, {
            ...report,
            changed: applied.changed,
            roleId: applied.roleId,
            ...(applied.changed ? { verified: true } : {}),
          });
        } else if (applied.changed) {
          ctx.out(`verified: role ${plan.name} (id ${applied.roleId}) now matches the policy`);
        }
      });
    }),
  );
}

function withRoleOptions(cmd: Command): Command {
  return cmd
    .option(
      '--role <file>',
      'role policy file (default: the shipped policies/roles/azure-site-recovery.yaml)',
    )
    .option(
      '--avs',
      "the AVS-assignable variant: the role minus what CloudAdmin lacks, under the policy's avsName; prints what is lost",
    )
    .option(
      '--baseline <file>',
      'with --avs, when the server has no CloudAdmin role: the documented CloudAdmin list (default: the shipped policies/baselines/avs-cloudadmin.yaml)',
    );
}

/** The plan for people: notes on the catalogue, the change, and with --avs what is lost. */
export function renderReport(report: RolePlanReport): string[] {
  const lines: string[] = [];
  lines.push(`policy: ${report.policyFile}`);
  for (const e of report.expanded) {
    lines.push(
      `${e.pattern} expands to ${e.ids.length} privileges on this server (catalogue: ${report.catalogue.source})`,
    );
  }
  for (const s of report.skipped) lines.push(`note: ${s.id} skipped: ${s.reason}`);
  if (report.avs) {
    lines.push(
      `AVS variant of ${report.avs.baseRole}, compared with ${report.avs.cloudAdminFrom}:`,
    );
    if (report.avs.dropped.length === 0) {
      lines.push('  nothing to drop: CloudAdmin holds every privilege of the role');
    } else {
      lines.push(
        `  ${report.avs.dropped.length} privileges CloudAdmin lacks are dropped; capabilities lost:`,
      );
      for (const d of report.avs.dropped) {
        lines.push(`  - ${d.id} (${d.label}): ${d.purpose ?? 'no purpose recorded in the policy'}`);
      }
    }
  }
  lines.push(...describeRolePlan(report.plan));
  return lines;
}
