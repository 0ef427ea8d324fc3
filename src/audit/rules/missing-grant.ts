/**
 * medium: an object the policy names lacks the account's grant (or holds a role with fewer
 * privileges than required). A tenant VM without it is not discoverable from the
 * configuration server; a shared object without it makes failback fail.
 */
import type { TenantGrant } from '../../policy/tenant-resolve';
import type { AuditContext, TenantAccess } from '../context';
import { finding, liveRole } from '../context';
import { toEntityRef } from '../effective-access';
import type { Finding } from '../types';

export function missingGrant(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const t of ctx.tenants) {
    const missingRoles = new Set<string>();
    const heldOn = new Map(
      ctx.model.permissionsOfKey(t.principals.selfKey).map((p) => [p.entity, p]),
    );
    for (const grant of t.tenant.grants) {
      const required = liveRole(ctx.model, grant.roleName);
      if (!required) {
        missingRoles.add(grant.roleName);
        continue;
      }
      const held = heldOn.get(grant.entity.ref);
      const heldPrivileges = held ? ctx.model.rolePrivileges(held.roleId) : new Set<string>();
      const lacking = required.privileges.filter((p) => !heldPrivileges.has(p));
      if (held && lacking.length === 0) continue;
      out.push(
        finding('missing-grant', {
          tenant: t.name,
          principal: t.tenant.principal,
          entity: toEntityRef(grant.entity),
          message: held
            ? `${grant.entity.path} (${grant.source}) has ${ctx.model.roleName(held.roleId)} for ${t.tenant.principal} instead of ${grant.roleName}: ${lacking.length} privilege${lacking.length === 1 ? '' : 's'} missing; ${consequence(grant)}`
            : `${grant.entity.path} (${grant.source}) has no permission for ${t.tenant.principal}; ${consequence(grant)}`,
          evidence: held ? [ctx.model.evidence(held)] : [],
          ...(held ? { details: lacking } : {}),
          remediation: `Grant ${grant.roleName} to ${t.tenant.principal} on ${grant.entity.path} without propagation (drperm tenant apply${fileArg(t)}).`,
        }),
      );
    }
    for (const role of missingRoles) {
      out.push(
        finding('missing-grant', {
          tenant: t.name,
          principal: t.tenant.principal,
          message: `role ${role}, required by tenant ${t.name}'s policy, does not exist on the server: none of its grants can be in place`,
          evidence: [],
          remediation: `Create the role with drperm role apply, then drperm tenant apply${fileArg(t)}.`,
        }),
      );
    }
  }
  return out;
}

function consequence(grant: TenantGrant): string {
  switch (grant.kind) {
    case 'vm':
      return 'the VM will not be discoverable from the configuration server';
    case 'managementServer':
      return 'the management server cannot be reached for replication';
    case 'vcenter':
      return 'the account cannot browse vCenter';
    default:
      return 'failback to this object fails';
  }
}

function fileArg(t: TenantAccess): string {
  return t.tenant.file ? ` --tenant ${t.tenant.file}` : '';
}
