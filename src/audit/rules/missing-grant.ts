/**
 * medium: an object the policy names lacks the account's grant (or holds a role with fewer
 * privileges than required). A tenant VM without it is not discoverable from the
 * configuration server; a shared object without it makes failback fail.
 */
import { grantState } from '../../model/grant';
import type { Permission } from '../../model/snapshot';
import type { TenantGrant } from '../../policy/tenant-resolve';
import type { AuditContext, TenantAccess } from '../context';
import { finding, liveRole } from '../context';
import { grantingPermissions, reaches } from '../effective-access';
import type { Finding } from '../types';

export function missingGrant(ctx: AuditContext): Finding[] {
  return ctx.tenants.flatMap((t) => {
    const missingRoles = new Set<string>();
    const heldOn = new Map(
      ctx.model.permissionsOfKey(t.principals.selfKey).map((p) => [p.entity, p]),
    );
    const out: Finding[] = [];
    for (const grant of t.tenant.grants) {
      const required = liveRole(ctx.model, grant.roleName);
      if (!required) missingRoles.add(grant.roleName);
      else {
        const found = checkGrant(ctx, t, grant, required.privileges, heldOn.get(grant.entity.ref));
        if (found) out.push(found);
      }
    }
    for (const role of missingRoles) out.push(roleMissing(t, role));
    return out;
  });
}

/** The account's own permission on the object (grantState, as tenant verify decides it). */
function checkGrant(
  ctx: AuditContext,
  t: TenantAccess,
  grant: TenantGrant,
  required: readonly string[],
  held: Permission | undefined,
): Finding | undefined {
  const state = grantState(held, required, (roleId) => ctx.model.rolePrivileges(roleId));
  if (state.inPlace) return undefined;
  const where = `${grant.entity.path} (${grant.source})`;
  const fields = {
    tenant: t.name,
    principal: t.tenant.principal,
    entity: ctx.model.toEntityRef(grant.entity),
    remediation: `Grant ${grant.roleName} to ${t.tenant.principal} on ${grant.entity.path} without propagation (drperm tenant apply${fileArg(t)}).`,
  };
  if (held && state.reason === 'lacks-privileges') {
    const { lacking } = state;
    return finding('missing-grant', {
      ...fields,
      message: `${where} has ${ctx.model.roleName(held.roleId)} for ${t.tenant.principal} instead of ${grant.roleName}: ${lacking.length} privilege${lacking.length === 1 ? '' : 's'} missing; ${consequence(grant)}`,
      evidence: [ctx.model.evidence(held)],
      details: lacking,
    });
  }
  if (held) {
    return finding('missing-grant', {
      ...fields,
      message: `${where} has ${ctx.model.roleName(held.roleId)} for ${t.tenant.principal}, but propagating to every child object; the grant is made without propagation`,
      evidence: [ctx.model.evidence(held)],
    });
  }
  // Reached through a propagated grant, the object works today; the consequence would be
  // false, and the permissions that stand in for the grant are the useful evidence.
  const access = t.access.get(grant.entity.ref);
  const inherited = access && reaches(access) ? grantingPermissions(ctx.model, access) : [];
  return finding('missing-grant', {
    ...fields,
    message:
      inherited.length > 0
        ? `${where} has no permission of its own for ${t.tenant.principal}; it is reached only through inherited permissions, which new objects below them share`
        : `${where} has no permission for ${t.tenant.principal}; ${consequence(grant)}`,
    evidence: inherited.map((p) => ctx.model.evidence(p)),
  });
}

function roleMissing(t: TenantAccess, role: string): Finding {
  return finding('missing-grant', {
    tenant: t.name,
    principal: t.tenant.principal,
    message: `role ${role}, required by tenant ${t.name}'s policy, does not exist on the server: none of its grants can be in place`,
    evidence: [],
    remediation: `Create the role with drperm role apply, then drperm tenant apply${fileArg(t)}.`,
  });
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
