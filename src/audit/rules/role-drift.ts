/**
 * medium: the live role's privileges differ from the role policy (System.Anonymous/View/Read
 * are added by vCenter itself and are never drift). Reported for each failback tenant using
 * the role, so each tenant's summary shows it.
 */
import type { AuditContext } from '../context';
import { privilegeDrift } from '../../model/privileges';
import { finding, liveRole } from '../context';
import type { Finding } from '../types';

export function roleDrift(ctx: AuditContext): Finding[] {
  const expected = ctx.rolePrivileges;
  const name = ctx.rolePolicyName;
  if (!expected || !name) return [];
  const live = liveRole(ctx.model, name);
  const details: string[] = [];
  if (live) {
    const { missing, extra } = privilegeDrift(expected, live.privileges);
    details.push(...missing.map((p) => `missing: ${p}`), ...extra.map((p) => `extra: ${p}`));
    if (details.length === 0) return [];
  }
  const out: Finding[] = [];
  for (const t of ctx.tenants) {
    if (t.tenant.policy.mode !== 'failback' || t.tenant.roleName !== name) continue;
    out.push(
      finding('role-drift', {
        tenant: t.name,
        principal: t.tenant.principal,
        message: live
          ? `role ${name} differs from the role policy: ${details.length} privilege${details.length === 1 ? '' : 's'} added or removed`
          : `role ${name} does not exist on the server`,
        evidence: [],
        details,
        remediation: `Run drperm role apply to bring role ${name} back to the policy.`,
      }),
    );
  }
  return out;
}
