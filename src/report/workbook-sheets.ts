/**
 * What each table sheet of the workbook shows: columns and rows taken from the
 * AuditReport. Order and headers are what auditors filter on; keep them stable.
 */
import type {
  AuditReport,
  EffectiveAccessRow,
  PermissionRow,
  RoleVsCloudAdminRow,
  TenantReportRow,
} from '../audit/report-model';
import type { Finding, PermissionEvidence } from '../audit/types';
import type { NsxWorkbookRow } from '../model/nsx';
import { CONFIRMED_BY_VCENTER_COLUMN } from './seen-as-tenant';
import { formatEvidence, yesNo } from './text';
import type { Column, TableSheet } from './xlsx-table';
import { ROLE_STATUS_COLOURS, SEVERITY_COLOURS, VERDICT_COLOURS } from './xlsx-style';

export const SHEET_NAMES = {
  summary: 'Summary',
  findings: 'Findings',
  tenants: 'Tenants',
  effectiveAccess: 'Effective access',
  permissions: 'Permissions',
  roles: 'Roles',
  roleVsCloudAdmin: 'Role vs CloudAdmin',
  nsx: 'NSX',
} as const;

/** One line per permission, so an evidence cell lines up with its neighbours. */
function lines(evidence: PermissionEvidence[], pick: (p: PermissionEvidence) => string): string {
  return evidence.map(pick).join('\n');
}

export function findingsSheet(report: AuditReport): TableSheet<Finding> {
  return {
    name: SHEET_NAMES.findings,
    rows: report.findings,
    emptyNote: 'No findings.',
    columns: [
      { header: 'Severity', value: (f) => f.severity, colours: SEVERITY_COLOURS, width: 12 },
      { header: 'Rule', value: (f) => f.rule, maxWidth: 28 },
      { header: 'Tenant', value: (f) => f.tenant, maxWidth: 20, wrap: true },
      { header: 'Principal', value: (f) => f.principal, maxWidth: 28, wrap: true },
      { header: 'Entity path', value: (f) => f.entity?.path, maxWidth: 36, wrap: true },
      { header: 'Entity type', value: (f) => f.entity?.type, maxWidth: 20 },
      { header: 'Moref', value: (f) => f.entity?.moref, maxWidth: 14 },
      { header: 'Finding', value: (f) => f.message, maxWidth: 44, wrap: true },
      {
        header: 'Evidence (permissions)',
        value: (f) => [...f.evidence.map(formatEvidence), ...(f.details ?? [])].join('\n'),
        maxWidth: 56,
        wrap: true,
      },
      { header: 'Remediation', value: (f) => f.remediation, maxWidth: 40, wrap: true },
    ],
  };
}

const tenantCountColumns: Column<TenantReportRow>[] = [
  { header: 'Critical', value: (t) => t.findings.critical, width: 10 },
  { header: 'High', value: (t) => t.findings.high, width: 8 },
  { header: 'Medium', value: (t) => t.findings.medium, width: 10 },
  { header: 'Low', value: (t) => t.findings.low, width: 8 },
  { header: 'Info', value: (t) => t.findings.info, width: 8 },
];

export function tenantsSheet(report: AuditReport): TableSheet<TenantReportRow> {
  return {
    name: SHEET_NAMES.tenants,
    rows: report.tenants,
    emptyNote: 'No tenants audited.',
    columns: [
      { header: 'Tenant', value: (t) => t.tenant, maxWidth: 28 },
      { header: 'Verdict', value: (t) => t.verdict, colours: VERDICT_COLOURS, width: 14 },
      { header: 'Mode', value: (t) => t.mode, width: 14 },
      { header: 'Principal', value: (t) => t.principal, maxWidth: 36 },
      { header: 'Group', value: (t) => t.group, width: 9 },
      { header: 'Role', value: (t) => t.roleName, maxWidth: 28 },
      { header: 'Objects owned', value: (t) => t.ownedObjects, width: 17 },
      { header: 'Shared objects granted', value: (t) => t.sharedObjectsGranted, width: 25 },
      { header: 'Foreign objects reachable', value: (t) => t.foreignObjectsReachable, width: 27 },
      ...tenantCountColumns,
      { header: 'Policy file', value: (t) => t.file, maxWidth: 40 },
    ],
  };
}

/** Column definitions shared by the Summary sheet's tenant block. */
export const SUMMARY_TENANT_COLUMNS: Column<TenantReportRow>[] = [
  { header: 'Tenant', value: (t) => t.tenant },
  { header: 'Verdict', value: (t) => t.verdict, colours: VERDICT_COLOURS },
  ...tenantCountColumns,
];

// One line per granting permission; wrapped, or Excel would not show the line breaks.
const grantColumns: Column<EffectiveAccessRow>[] = [
  {
    header: 'Granted on',
    value: (r) => lines(r.grantedBy, (p) => p.entity.path),
    maxWidth: 44,
    wrap: true,
  },
  {
    header: 'Granted to',
    value: (r) => lines(r.grantedBy, (p) => p.principal),
    maxWidth: 28,
    wrap: true,
  },
  {
    header: 'Role',
    value: (r) => lines(r.grantedBy, (p) => p.roleName),
    maxWidth: 24,
    wrap: true,
  },
  {
    header: 'Propagate',
    value: (r) => lines(r.grantedBy, (p) => yesNo(p.propagate)),
    width: 12,
    wrap: true,
  },
];

export function effectiveAccessSheet(report: AuditReport): TableSheet<EffectiveAccessRow> {
  return {
    name: SHEET_NAMES.effectiveAccess,
    rows: report.effectiveAccess,
    emptyNote: 'No tenant account reaches any object.',
    columns: [
      { header: 'Tenant', value: (r) => r.tenant, maxWidth: 20 },
      { header: 'Principal', value: (r) => r.principal, maxWidth: 28 },
      { header: 'Entity path', value: (r) => r.entity.path, maxWidth: 44, wrap: true },
      { header: 'Entity type', value: (r) => r.entity.type, maxWidth: 20 },
      { header: 'Moref', value: (r) => r.entity.moref, maxWidth: 14 },
      { header: 'Owner', value: (r) => r.owner ?? '(no tenant)', maxWidth: 20 },
      {
        header: 'Foreign',
        // Owned by another tenant or by nobody: the objects an isolation audit is about.
        value: (r) => r.owner !== r.tenant,
        width: 10,
      },
      { header: 'Privilege count', value: (r) => r.privileges.length, width: 17 },
      // Long and the same for most rows: not wrapped, so rows stay one line high. Not the last
      // column either: the filled Granted on cell beside it clips the text, where an empty
      // neighbour would let it spill across the page and shrink the printed sheet to dust.
      { header: 'Privileges', value: (r) => r.privileges.join(', '), width: 40 },
      CONFIRMED_BY_VCENTER_COLUMN,
      ...grantColumns,
    ],
  };
}

export function permissionsSheet(report: AuditReport): TableSheet<PermissionRow> {
  return {
    name: SHEET_NAMES.permissions,
    rows: report.permissions,
    emptyNote: 'The vCenter defines no permissions.',
    columns: [
      { header: 'Entity path', value: (p) => p.entity.path, maxWidth: 50 },
      { header: 'Entity type', value: (p) => p.entity.type, maxWidth: 22 },
      { header: 'Moref', value: (p) => p.entity.moref, maxWidth: 16 },
      { header: 'Principal', value: (p) => p.principal, maxWidth: 36 },
      { header: 'Group', value: (p) => p.group, width: 9 },
      { header: 'Role', value: (p) => p.roleName, maxWidth: 28 },
      { header: 'Role id', value: (p) => p.roleId, width: 10 },
      { header: 'Propagate', value: (p) => p.propagate, width: 12 },
      { header: 'Tenant', value: (p) => p.tenant ?? '', maxWidth: 24 },
    ],
  };
}

interface RolePrivilegeRow {
  roleId: number;
  role: string;
  roleLabel: string | undefined;
  system: boolean;
  privilege: string | undefined;
  privilegeLabel: string | undefined;
}

/** One row per role and privilege; a role without privileges still gets its row. */
export function rolePrivilegeRows(report: AuditReport): RolePrivilegeRow[] {
  return report.roles.flatMap((role): RolePrivilegeRow[] => {
    const base = { roleId: role.id, role: role.name, roleLabel: role.label, system: role.system };
    if (role.privileges.length === 0) {
      return [{ ...base, privilege: undefined, privilegeLabel: undefined }];
    }
    return role.privileges.map((p) => ({ ...base, privilege: p.id, privilegeLabel: p.label }));
  });
}

export function rolesSheet(report: AuditReport): TableSheet<RolePrivilegeRow> {
  return {
    name: SHEET_NAMES.roles,
    rows: rolePrivilegeRows(report),
    emptyNote: 'The vCenter returned no roles.',
    columns: [
      { header: 'Role id', value: (r) => r.roleId, width: 10 },
      { header: 'Role', value: (r) => r.role, maxWidth: 30 },
      { header: 'Role display name', value: (r) => r.roleLabel, maxWidth: 30 },
      { header: 'System role', value: (r) => r.system, width: 14 },
      { header: 'Privilege id', value: (r) => r.privilege ?? '(none)', maxWidth: 55 },
      { header: 'Privilege display name', value: (r) => r.privilegeLabel, maxWidth: 50 },
    ],
  };
}

export function roleVsCloudAdminSheet(report: AuditReport): TableSheet<RoleVsCloudAdminRow> {
  return {
    name: SHEET_NAMES.roleVsCloudAdmin,
    rows: report.roleVsCloudAdmin,
    emptyNote:
      'Not compared: no AVS CloudAdmin privilege set is known (audit with --avs, or on a server with a CloudAdmin role).',
    columns: [
      { header: 'Role', value: (r) => r.role, maxWidth: 28 },
      { header: 'Privilege id', value: (r) => r.privilege, maxWidth: 55 },
      { header: 'Privilege display name', value: (r) => r.label, maxWidth: 50 },
      { header: 'In role', value: (r) => r.inRole, width: 10 },
      { header: 'In CloudAdmin', value: (r) => r.inCloudAdmin, width: 16 },
      { header: 'Status', value: (r) => r.status, colours: ROLE_STATUS_COLOURS, width: 24 },
    ],
  };
}

/** The NSX sheet, or undefined when the report has no NSX section. */
export function nsxSheet(report: AuditReport): TableSheet<NsxWorkbookRow> | undefined {
  if (report.nsx === undefined) return undefined;
  return {
    name: SHEET_NAMES.nsx,
    rows: report.nsx.rows,
    emptyNote: 'NSX was audited; no LDAP principal is bound to any role.',
    columns: [
      { header: 'Severity', value: (r) => r.severity, colours: SEVERITY_COLOURS, width: 12 },
      { header: 'Rules', value: (r) => r.rules, wrap: true, width: 30 },
      { header: 'Tenant', value: (r) => r.tenant, width: 16 },
      { header: 'Principal', value: (r) => r.principal, wrap: true, width: 32 },
      { header: 'Principal type', value: (r) => r.principalType, width: 16 },
      { header: 'Identity source', value: (r) => r.identitySource, width: 14 },
      { header: 'Path', value: (r) => r.path, wrap: true, width: 34 },
      { header: 'Role id', value: (r) => r.roleId, width: 22 },
      { header: 'Role', value: (r) => r.roleName, wrap: true, width: 22 },
      { header: 'Role kind', value: (r) => r.roleKind, width: 14 },
    ],
  };
}
