/** Role privileges for drift: what the role policy expects on this server, compared with the live role. */
import type { Role, Snapshot } from '../../model/snapshot';
import { roleDrift, type DriftFinding } from '../../plan/tenant-drift';
import type { TenantPlan } from '../../plan/tenant-plan';
import { avsVariant } from '../../policy/cloudadmin';
import type { loadRolePolicy } from '../../policy/role-policy';
import { loadBaselinePolicy, resolveRolePrivileges } from '../../policy/role-policy';
import type { CommandContext } from '../context';

/** Role name → the privileges the role policy gives it on this server (the role and its AVS variant). */
export async function expectedRolePrivileges(
  loaded: Awaited<ReturnType<typeof loadRolePolicy>>,
  snapshot: Snapshot,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const resolved = resolveRolePrivileges(loaded.policy, snapshot.privileges, loaded.source);
  out.set(loaded.policy.name, resolved.privileges);
  if (loaded.policy.avsName) {
    // The AVS variant drops what CloudAdmin lacks: the live CloudAdmin role where it exists.
    const live = snapshot.roles.find((r) => r.name === 'CloudAdmin');
    const cloudAdmin = live
      ? live.privileges
      : (await loadBaselinePolicy()).policy.privileges.map((p) => p.id);
    out.set(
      loaded.policy.avsName,
      avsVariant(loaded.policy.avsName, resolved.details, cloudAdmin).privileges,
    );
  }
  return out;
}

export function roleFindings(
  plan: TenantPlan,
  roles: readonly Role[],
  expected: ReadonlyMap<string, string[]>,
  ctx: CommandContext,
): DriftFinding[] {
  const live = roles.find((r) => r.name === plan.roleName);
  if (live?.system) return []; // built-in roles (Read-only in failover-only mode) cannot change
  const want = expected.get(plan.roleName);
  if (!want) {
    ctx.log.warn(
      `tenant ${plan.tenant}: no role policy describes role ${plan.roleName}; its privileges were not compared (pass --role FILE)`,
    );
    return [];
  }
  return roleDrift(plan.tenant, plan.roleName, want, live);
}
