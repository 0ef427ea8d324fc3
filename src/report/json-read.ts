/**
 * Expands a JSON report of format version 2 back into the AuditReport it was written from:
 * the reference for consumers of the format (README "JSON report format"), and the proof in
 * the tests that writing by id loses nothing.
 */
import type {
  AuditReport,
  EffectiveAccessRow,
  PermissionRow,
  RoleRow,
} from '../audit/report-model';
import type { EntityRef, PermissionEvidence } from '../audit/types';

interface JsonPermission {
  id: number;
  entity: string;
  principal: string;
  group: boolean;
  roleId: number;
  propagate: boolean;
  tenant: string | null;
}

interface JsonAccess {
  tenant: string;
  entity: string;
  owner: string | null;
  relation: EffectiveAccessRow['relation'];
  privilegeSet: number;
  grantedBy: Array<number | PermissionEvidence>;
}

export interface JsonReportV2 extends Omit<AuditReport, 'permissions' | 'effectiveAccess'> {
  privilegeSets: Array<{ id: number; roleId: number | null; extra: string[] }>;
  /** `vcenter` only where it is not the report's vCenter. */
  entities: Array<Omit<EntityRef, 'vcenter'> & { vcenter?: string }>;
  permissions: JsonPermission[];
  effectiveAccess: JsonAccess[];
}

export function expandJsonReport(doc: JsonReportV2): AuditReport {
  const roles = new Map<number, RoleRow>(doc.roles.map((r) => [r.id, r]));
  const vcenter = doc.vcenter.instanceUuid;
  const entities = new Map(
    doc.entities.map((e): [string, EntityRef] => [e.moref, { vcenter, ...e }]),
  );
  const entity = (moref: string): EntityRef =>
    entities.get(moref) ?? { vcenter, moref, type: 'unknown', path: `(unknown entity ${moref})` };
  const permissions: PermissionRow[] = doc.permissions.map((p) => ({
    entity: entity(p.entity),
    principal: p.principal,
    group: p.group,
    roleId: p.roleId,
    roleName: roles.get(p.roleId)?.name ?? `role ${p.roleId}`,
    propagate: p.propagate,
    tenant: p.tenant,
  }));
  const evidence = (p: PermissionRow): PermissionEvidence => {
    const { tenant: _tenant, ...rest } = p;
    return rest;
  };
  const privileges = doc.privilegeSets.map((s) => {
    const own = s.roleId === null ? [] : (roles.get(s.roleId)?.privileges.map((p) => p.id) ?? []);
    return [...new Set([...own, ...s.extra])].sort();
  });
  const principalOf = new Map(doc.tenants.map((t) => [t.tenant, t.principal]));
  const { privilegeSets: _sets, entities: _entities, ...rest } = doc;
  return {
    ...rest,
    permissions,
    effectiveAccess: doc.effectiveAccess.map((r) => ({
      tenant: r.tenant,
      principal: principalOf.get(r.tenant) ?? '',
      entity: entity(r.entity),
      owner: r.owner,
      relation: r.relation,
      privileges: privileges[r.privilegeSet] ?? [],
      grantedBy: r.grantedBy.map((g) => (typeof g === 'number' ? evidence(permissions[g]!) : g)),
    })),
  };
}
