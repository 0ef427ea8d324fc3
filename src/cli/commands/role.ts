/**
 * `drperm role plan | apply`: the Azure_Site_Recovery role (seed 001) from its policy
 * file. The wildcard groups expand against the connected server's own catalogue; apply
 * shows the difference, asks, changes the role to exactly the policy's privileges, and
 * reads it back. `--avs` works on the AVS-assignable variant instead.
 */
import type { Command } from 'commander';
import { describeRolePlan, findRoleByName, planRole, type RolePlan } from '../../plan/role-plan';
import { avsVariant, type DroppedCapability } from '../../policy/cloudadmin';
import {
  defaultBaselinePolicyPath,
  defaultRolePolicyPath,
  loadBaselinePolicy,
  loadRolePolicy,
  resolveBaselinePrivileges,
  resolveRolePrivileges,
  type LoadedBaselinePolicy,
  type LoadedRolePolicy,
  type ResolvedRole,
} from '../../policy/role-policy';
import type { Privilege, Role } from '../../model/snapshot';
import { InputError, ServerError } from '../../util/errors';
import type { VimClient } from '../../vsphere/client';
import { withSession } from '../../vsphere/session';
import { confirm } from '../confirm';
import { addConnectionOptions, resolveConnection, type ConnectionFlags } from '../connection';
import { makeContext, printJson, type CommandContext, type GlobalOptions } from '../context';
import { readPrivilegeCatalogue, readRoles } from '../role-server';

interface RoleOptions extends GlobalOptions, ConnectionFlags {
  role?: string;
  baseline?: string;
  avs?: boolean;
  json?: boolean;
  yes?: boolean;
}

/** Everything plan shows and apply acts on. */
export interface RolePlanReport {
  policyFile: string;
  catalogue: { source: 'privilegeList' | 'adminRole'; size: number };
  expanded: ResolvedRole['expanded'];
  skipped: ResolvedRole['skipped'];
  plan: RolePlan;
  /** With --avs: where the CloudAdmin list came from and what the variant gives up. */
  avs?: { baseRole: string; cloudAdminFrom: string; dropped: DroppedCapability[] };
}

export function register(program: Command): void {
  const role = program
    .command('role')
    .description('the Azure_Site_Recovery vCenter role: compare it with its policy and apply it');

  addConnectionOptions(
    withRoleOptions(role.command('plan'))
      .description('show what `role apply` would change (nothing is changed)')
      .option('--json', 'print the plan as JSON on stdout')
      .addHelpText(
        'after',
        `
The policy's wildcards (VirtualMachine.Config.* = "VM Configuration: All") expand from the
server's privilege catalogue. System.Anonymous, System.View and System.Read are added by
vCenter to every role and are never reported as differences.
Exit code 0 whether or not changes are pending; 2 for a bad policy; 3 for server errors.`,
      ),
  ).action(async (_opts: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<RoleOptions>();
    const ctx = makeContext(opts);
    const policies = await loadPolicies(opts);
    const connection = await resolveConnection(opts, ctx.log);
    const report = await withSession(connection, ctx.log, (client) =>
      planFromServer(client, policies, opts, ctx),
    );
    if (opts.json) printJson(ctx, report);
    else ctx.out(renderReport(report).join('\n'));
  });

  addConnectionOptions(
    withRoleOptions(role.command('apply'))
      .description('create the role, or update it to exactly the policy, after showing the change')
      .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
      .option('--json', 'print the result as JSON on stdout (the plan goes to stderr)')
      .addHelpText(
        'after',
        `
Roles are looked up by name, never by id. A second apply changes nothing and says so.
After the change the role is read back and compared with the policy again.
Exit code 0 when the role matches the policy afterwards; 2 when the confirmation is
declined or cannot be asked (no terminal and no --yes); 3 for server errors or a failed
read-back.`,
      ),
  ).action(async (_opts: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<RoleOptions>();
    const ctx = makeContext(opts);
    const policies = await loadPolicies(opts);
    const connection = await resolveConnection(opts, ctx.log);
    await withSession(connection, ctx.log, (client) => applyRole(client, policies, opts, ctx));
  });
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

interface Policies {
  roleFile: string;
  role: LoadedRolePolicy;
  /** Loaded only with --avs. */
  baselineFile?: string;
  baseline?: LoadedBaselinePolicy;
}

/** Read and validate the files before connecting: a bad file fails fast, without a server. */
async function loadPolicies(opts: RoleOptions): Promise<Policies> {
  const roleFile = opts.role ?? defaultRolePolicyPath();
  const policies: Policies = { roleFile, role: await loadRolePolicy(roleFile) };
  if (opts.avs) {
    policies.baselineFile = opts.baseline ?? defaultBaselinePolicyPath();
    policies.baseline = await loadBaselinePolicy(policies.baselineFile);
  }
  return policies;
}

async function planFromServer(
  client: VimClient,
  policies: Policies,
  opts: RoleOptions,
  ctx: CommandContext,
): Promise<RolePlanReport> {
  const policyFile = policies.roleFile;
  const { policy, source } = policies.role;
  const roles = await readRoles(client);
  const catalogue = await readPrivilegeCatalogue(client, roles);
  ctx.log.debug(`privilege catalogue: ${catalogue.privileges.length} from ${catalogue.source}`);
  const resolved = resolveRolePrivileges(policy, catalogue.privileges, source);

  let name = policy.name;
  let privileges = resolved.privileges;
  let avs: RolePlanReport['avs'];
  if (opts.avs) {
    const cloudAdmin = cloudAdminPrivileges(roles, catalogue.privileges, policies);
    name = policy.avsName ?? `${policy.name}_AVS`;
    const variant = avsVariant(name, resolved.details, cloudAdmin.privileges);
    privileges = variant.privileges;
    avs = { baseRole: policy.name, cloudAdminFrom: cloudAdmin.from, dropped: variant.dropped };
  }
  return {
    policyFile,
    catalogue: { source: catalogue.source, size: catalogue.privileges.length },
    expanded: resolved.expanded,
    skipped: resolved.skipped,
    plan: planRole(name, privileges, findRoleByName(roles, name)),
    ...(avs ? { avs } : {}),
  };
}

/** The server's own CloudAdmin role when it has one (AVS), else the documented list. */
function cloudAdminPrivileges(
  roles: readonly Role[],
  catalogue: readonly Privilege[],
  policies: Policies,
): { privileges: string[]; from: string } {
  const { baselineFile, baseline } = policies;
  if (!baseline) throw new Error('--avs needs the baseline policy loaded');
  const { policy, source } = baseline;
  const live = findRoleByName(roles, policy.name);
  if (live) return { privileges: live.privileges, from: `the server's ${policy.name} role` };
  return {
    privileges: resolveBaselinePrivileges(policy, catalogue, source).privileges,
    from: `the documented list in ${baselineFile} (the server has no ${policy.name} role)`,
  };
}

async function applyRole(
  client: VimClient,
  policies: Policies,
  opts: RoleOptions,
  ctx: CommandContext,
): Promise<void> {
  const report = await planFromServer(client, policies, opts, ctx);
  // Show what will happen before anything changes: stdout normally, stderr with --json.
  const show = (lines: string[]) =>
    opts.json ? lines.forEach((l) => ctx.log.info(l)) : ctx.out(lines.join('\n'));
  show(renderReport(report));

  const { plan } = report;
  if (plan.action === 'unchanged') {
    if (opts.json) printJson(ctx, { ...report, changed: false, roleId: plan.roleId });
    return;
  }
  const question =
    plan.action === 'create'
      ? `Create role ${plan.name} with ${plan.privileges.length} privileges?`
      : `Update role ${plan.name}: add ${plan.added.length}, remove ${plan.removed.length} privileges?`;
  if (!(await confirm(question, { yes: opts.yes, ctx }))) {
    throw new InputError('cancelled: nothing was changed');
  }

  if (plan.action === 'create') {
    // The id AddAuthorizationRole returns is not trusted (the simulator answers 0 for
    // every new role): the read-back below finds the role by name.
    await client.addAuthorizationRole(plan.name, plan.privileges);
    ctx.log.info(`created role ${plan.name}`);
  } else {
    await client.updateAuthorizationRole(plan.roleId, plan.name, plan.privileges);
    ctx.log.info(`updated role ${plan.name} (id ${plan.roleId})`);
  }

  // Read back by name: the change is done only when the server holds exactly the policy.
  const after = planRole(
    plan.name,
    plan.privileges,
    findRoleByName(await readRoles(client), plan.name),
  );
  if (after.action !== 'unchanged') {
    throw new ServerError(
      `role ${plan.name} does not match the policy after ${plan.action}: ${describeRolePlan(after).join('; ')}`,
    );
  }
  if (opts.json) printJson(ctx, { ...report, changed: true, roleId: after.roleId, verified: true });
  else ctx.out(`verified: role ${plan.name} (id ${after.roleId}) now matches the policy`);
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
