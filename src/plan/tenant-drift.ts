/**
 * verify and drift: how the live permissions differ from a tenant policy. Both read
 * the same plan (computed against a fresh collection); drift additionally names the
 * cause in words a cron mail reader understands and compares the role's privileges.
 * Pure.
 */
import type { Role } from '../model/snapshot';
import { privilegeDrift } from '../model/privileges';
import type { PermissionState, TenantPlan } from './tenant-plan';

export type DriftKind =
  /** A VM matched by the tenant's selectors (e.g. created since the last apply) without the grant. */
  | 'vm-without-grant'
  /** An infrastructure object of the policy without the grant (removed since the apply, or never applied). */
  | 'grant-missing'
  /** The account's permission is there with another role or with propagation. */
  | 'grant-changed'
  /** The account holds a permission the policy does not name. */
  | 'unexpected-grant'
  /** The role's privileges no longer match the role policy. */
  | 'role-privileges-changed';

export interface DriftFinding {
  tenant: string;
  kind: DriftKind;
  /** Inventory path of the object, when the finding is about one. */
  path?: string;
  expected?: PermissionState;
  actual?: PermissionState;
  message: string;
}

export function describeState(s: PermissionState): string {
  return `${s.roleName}${s.propagate ? ', propagating' : ''}`;
}

/** Differences between the live permissions and the policy, one per object. */
export function tenantDrift(plan: TenantPlan): DriftFinding[] {
  const out: DriftFinding[] = [];
  for (const o of plan.objects) {
    if (o.action === 'in-place') continue;
    const isVm = o.kind === 'vm' || o.kind === 'managementServer';
    if (o.action === 'add') {
      out.push({
        tenant: plan.tenant,
        kind: isVm ? 'vm-without-grant' : 'grant-missing',
        path: o.entity.path,
        expected: o.desired,
        message: isVm
          ? `${o.kind === 'vm' ? 'tenant VM' : 'management server'} ${o.entity.path} (${o.source}) has no permission for ${plan.principal}: ASR cannot discover it`
          : `${o.entity.path} (${o.source}) has no permission for ${plan.principal}; expected ${describeState(o.desired)}`,
      });
    } else {
      out.push({
        tenant: plan.tenant,
        kind: 'grant-changed',
        path: o.entity.path,
        expected: o.desired,
        ...(o.current ? { actual: o.current } : {}),
        message: `${o.entity.path}: ${plan.principal} has ${o.current ? describeState(o.current) : 'nothing'}, expected ${describeState(o.desired)}`,
      });
    }
  }
  for (const r of plan.risks) {
    out.push({
      tenant: plan.tenant,
      kind: 'unexpected-grant',
      path: r.entity.path,
      actual: r.current,
      message: `${r.entity.path}: ${plan.principal} has ${describeState(r.current)}; ${r.reason}`,
    });
  }
  return out;
}

/** The role's live privileges versus the expected set (implicit System.* ignored). */
export function rolePrivilegeDrift(
  tenant: string,
  roleName: string,
  expected: readonly string[],
  live: Role | undefined,
): DriftFinding[] {
  if (!live) {
    return [
      {
        tenant,
        kind: 'role-privileges-changed',
        message: `role ${roleName} no longer exists on the server (drperm role apply recreates it)`,
      },
    ];
  }
  const { missing, extra } = privilegeDrift(expected, live.privileges);
  if (missing.length === 0 && extra.length === 0) return [];
  const parts = [
    missing.length > 0 ? `missing ${missing.join(', ')}` : '',
    extra.length > 0 ? `extra ${extra.join(', ')}` : '',
  ].filter((s) => s.length > 0);
  return [
    {
      tenant,
      kind: 'role-privileges-changed',
      message: `role ${roleName} differs from its policy: ${parts.join('; ')}`,
    },
  ];
}
