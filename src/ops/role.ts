/**
 * `role plan | apply`: the Azure_Site_Recovery role (or its AVS variant) from its policy,
 * against the connected server's catalogue and roles. planRole reads and compares;
 * applyRole sends the change and reads it back by name.
 */
import {
  describeRolePlan,
  findRoleByName,
  planRole as planRoleChange,
  type RolePlan,
} from '../plan/role-plan';
import { avsVariant, resolveCloudAdmin, type DroppedCapability } from '../policy/cloudadmin';
import {
  defaultBaselinePolicyPath,
  defaultRolePolicyPath,
  loadBaselinePolicy,
  loadRolePolicy,
  resolveRolePrivileges,
  type LoadedBaselinePolicy,
  type LoadedRolePolicy,
  type ResolvedRole,
} from '../policy/role-policy';
import { ServerError } from '../util/errors';
import type { VimClient } from '../vsphere/client';
import { readPrivilegeCatalogue, readRoles } from '../vsphere/roles';
import { debug, info, type Emit } from './events';

export interface RolePolicies {
  roleFile: string;
  role: LoadedRolePolicy;
  /** Loaded only for the AVS variant. */
  baselineFile?: string;
  baseline?: LoadedBaselinePolicy;
}

/** Reads and validates the files before connecting: a bad file fails fast, without a server. */
export async function loadRolePolicies(options: {
  role?: string;
  baseline?: string;
  avs?: boolean;
}): Promise<RolePolicies> {
  const roleFile = options.role ?? defaultRolePolicyPath();
  const policies: RolePolicies = { roleFile, role: await loadRolePolicy(roleFile) };
  if (options.avs) {
    policies.baselineFile = options.baseline ?? defaultBaselinePolicyPath();
    policies.baseline = await loadBaselinePolicy(policies.baselineFile);
  }
  return policies;
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

export async function planRole(
  client: VimClient,
  policies: RolePolicies,
  emit: Emit,
): Promise<RolePlanReport> {
  const { policy, source } = policies.role;
  const roles = await readRoles(client);
  const catalogue = await readPrivilegeCatalogue(client, roles);
  debug(emit, `privilege catalogue: ${catalogue.privileges.length} from ${catalogue.source}`);
  const resolved = resolveRolePrivileges(policy, catalogue.privileges, source);

  let name = policy.name;
  let privileges = resolved.privileges;
  let avs: RolePlanReport['avs'];
  if (policies.baseline) {
    const cloudAdmin = resolveCloudAdmin({
      roles,
      catalogue: catalogue.privileges,
      baseline: policies.baseline,
    })!;
    name = policy.avsName ?? `${policy.name}_AVS`;
    const variant = avsVariant(name, resolved.details, cloudAdmin.privileges);
    privileges = variant.privileges;
    avs = {
      baseRole: policy.name,
      cloudAdminFrom:
        cloudAdmin.from === 'server'
          ? `the server's ${cloudAdmin.roleName} role`
          : `the documented list in ${policies.baselineFile} (the server has no ${cloudAdmin.roleName} role)`,
      dropped: variant.dropped,
    };
  }
  return {
    policyFile: policies.roleFile,
    catalogue: { source: catalogue.source, size: catalogue.privileges.length },
    expanded: resolved.expanded,
    skipped: resolved.skipped,
    plan: planRoleChange(name, privileges, findRoleByName(roles, name)),
    ...(avs ? { avs } : {}),
  };
}

export interface AppliedRole {
  changed: boolean;
  roleId: number;
  verified: boolean;
}

/**
 * Creates or updates the role to exactly the plan, then reads it back by name: the change
 * is done only when the server holds exactly the policy.
 */
export async function applyRole(
  client: VimClient,
  plan: RolePlan,
  emit: Emit,
): Promise<AppliedRole> {
  if (plan.action === 'unchanged') return { changed: false, roleId: plan.roleId, verified: true };
  if (plan.action === 'create') {
    // The id AddAuthorizationRole returns is not trusted (the simulator answers 0 for
    // every new role): the read-back below finds the role by name.
    await client.addAuthorizationRole(plan.name, plan.privileges);
    info(emit, `created role ${plan.name}`);
  } else {
    await client.updateAuthorizationRole(plan.roleId, plan.name, plan.privileges);
    info(emit, `updated role ${plan.name} (id ${plan.roleId})`);
  }
  const after = planRoleChange(
    plan.name,
    plan.privileges,
    findRoleByName(await readRoles(client), plan.name),
  );
  if (after.action !== 'unchanged') {
    throw new ServerError(
      `role ${plan.name} does not match the policy after ${plan.action}: ${describeRolePlan(after).join('; ')}`,
    );
  }
  return { changed: true, roleId: after.roleId, verified: true };
}
