/**
 * Who reaches whose VMs: for each tenant account, how many VMs of each tenant (and of no
 * tenant) it can see; and, per object reached, whether that is the tenant's own object, a
 * shared object its policy grants, or something it should not reach.
 */
import type { AuditContext, TenantAccess } from './context';
import type { AccessRelation, LeakMatrix } from './report-model';

/** The column of VMs no tenant policy owns. */
export const UNOWNED = 'unowned';

const VM = 'VirtualMachine';

/**
 * One row per tenant account, one column per tenant then "unowned"; a cell counts the VMs
 * of the column's tenant the row's account reaches. A VM two policies claim counts for both.
 */
export function leakMatrix(ctx: AuditContext): LeakMatrix {
  const names = ctx.tenants.map((t) => t.name);
  const column = new Map(names.map((n, i) => [n, i]));
  const rows = ctx.tenants.map((t) => {
    const counts = new Array<number>(names.length + 1).fill(0);
    for (const a of t.reached) {
      if (a.entity.type !== VM) continue;
      const owners = ctx.owners.get(a.entity.ref);
      if (!owners || owners.length === 0) counts[names.length]!++;
      else for (const o of owners) counts[column.get(o)!]!++;
    }
    return { tenant: t.name, principal: t.tenant.principal, counts };
  });
  return { columns: [...names, UNOWNED], rows };
}

/**
 * Classifies one object a tenant's account reaches. Objects that always inherit (a
 * datacenter's root folders, a cluster's root pool) count as granted when what they
 * inherit from is.
 */
export function relationClassifier(
  ctx: AuditContext,
  tenant: TenantAccess,
): (ref: string, type: string) => AccessRelation {
  const granted = new Set(tenant.tenant.grants.map((g) => g.entity.ref));
  const { model } = ctx;
  const entities = model.inventory.entities;
  const inPolicy = (ref: string): boolean => {
    let i = model.indexOf.get(ref);
    while (i !== undefined && i >= 0) {
      if (granted.has(entities[i]!.ref)) return true;
      const parent = model.forcedParentIndex[i]!;
      i = parent >= 0 ? parent : undefined;
    }
    return false;
  };
  return (ref, type) => {
    const owners = ctx.owners.get(ref);
    if (owners?.includes(tenant.name)) return 'own';
    if (type === VM || (owners && owners.length > 0)) return 'foreign';
    return inPolicy(ref) ? 'shared-policy' : 'shared-outside-policy';
  };
}
