/**
 * What each table sheet of the workbook shows: columns and rows taken from the
 * AuditReport. Order and headers are what auditors filter on; keep them stable.
 */
import type {
  AccessRelation,
  AuditReport,
  AuditSnapshotInfo,
  EffectiveAccessRow,
  PermissionRow,
  RoleRow,
  RoleVsCloudAdminRow,
  TenantReportRow,
} from '../audit/report-model';
import {
  REVIEW_STATUSES,
  type PermissionEvidence,
  type Severity,
  type TrackedFinding,
} from '../audit/types';
import type { NsxWorkbookRow } from '../model/nsx';
import { CONFIRMED_BY_VCENTER_COLUMN } from './seen-as-tenant';
import { privilegeSets } from './privilege-sets';
import { yesNo } from './text';
import type { Column, TableSheet } from './xlsx-table';
import {
  CHANGE_COLOURS,
  FOREIGN_COLOURS,
  MATRIX_LEAK,
  MATRIX_OWN,
  ROLE_STATUS_COLOURS,
  SEVERITY_COLOURS,
  VERDICT_COLOURS,
  type CellColour,
} from './xlsx-style';

export const SHEET_NAMES = {
  summary: 'Summary',
  findings: 'Findings',
  leakMatrix: 'Leak matrix',
  tenants: 'Tenants',
  effectiveAccess: 'Effective access',
  permissions: 'Permissions',
  roles: 'Roles',
  roleVsCloudAdmin: 'Role vs CloudAdmin',
  nsx: 'NSX',
  vcenters: 'vCenters',
} as const;

/** The Foreign column's words for each AccessRelation. */
export const RELATION_LABELS: Record<AccessRelation, string> = {
  own: 'no',
  foreign: 'foreign',
  'shared-policy': 'shared (policy)',
  'shared-outside-policy': 'shared (outside policy)',
};

/**
 * One row of the Findings sheet: a finding and one of its evidence permissions (the first
 * row of a finding also carries its sentence, details and remediation), or a finding of the
 * previous report that is resolved now.
 */
export interface FindingRow {
  id: string;
  /** Fleet reports: the finding's vCenter. */
  vcenter?: string;
  severity: string;
  rule: string;
  tenant: string;
  principal: string;
  path?: string;
  type?: string;
  message?: string;
  evidence?: PermissionEvidence;
  details?: string;
  remediation?: string;
  change?: string;
  status?: string;
  owner?: string;
  comment?: string;
}

export const FINDING_HEADERS = {
  id: 'Id',
  status: 'Status',
  owner: 'Owner',
  comment: 'Comment',
  change: 'Since previous',
} as const;

export function findingRows(report: AuditReport): FindingRow[] {
  const rows: FindingRow[] = [];
  const compared = report.previous !== undefined;
  for (const f of report.findings) rows.push(...rowsOfFinding(f, compared));
  for (const f of report.previous?.resolved ?? []) {
    rows.push({
      id: f.id,
      severity: f.severity,
      rule: f.rule,
      tenant: f.tenant,
      principal: f.principal,
      ...(f.entity ? { path: f.entity.path, type: f.entity.type } : {}),
      message: f.message,
      change: 'resolved',
      ...review(f.review),
    });
  }
  return rows;
}

function review(r: TrackedFinding['review']): Pick<FindingRow, 'status' | 'owner' | 'comment'> {
  return {
    ...(r?.status ? { status: r.status } : {}),
    ...(r?.owner ? { owner: r.owner } : {}),
    ...(r?.comment ? { comment: r.comment } : {}),
  };
}

function rowsOfFinding(f: TrackedFinding, compared: boolean): FindingRow[] {
  const key = {
    id: f.id,
    ...(f.vcenter !== undefined ? { vcenter: f.vcenter } : {}),
    severity: f.severity,
    rule: f.rule,
    tenant: f.tenant,
    principal: f.principal,
    ...(f.entity ? { path: f.entity.path, type: f.entity.type } : {}),
  };
  const first: FindingRow = {
    ...key,
    message: f.message,
    ...(f.details && f.details.length > 0 ? { details: f.details.join('\n') } : {}),
    remediation: f.remediation,
    ...(compared ? { change: f.change ?? 'new' } : {}),
    ...review(f.review),
  };
  if (f.evidence.length === 0) return [first];
  // The finding's identity repeats on each evidence row so that a filter keeps them together.
  return f.evidence.map((evidence, i) => (i === 0 ? { ...first, evidence } : { ...key, evidence }));
}

/** The Finding cell: what is wrong, the evidence that is not a permission, and the fix. */
function findingText(r: FindingRow): string | undefined {
  if (r.message === undefined) return undefined;
  return [
    r.message,
    ...(r.details ? [r.details] : []),
    ...(r.remediation ? [`Fix: ${r.remediation}`] : []),
  ].join('\n');
}

/**
 * Sized for A4 landscape at 8 pt or more (about 200 characters of column width): narrow
 * wrapped columns, and the sentence, other evidence and fix in one cell.
 */
/** Fleet reports (several vCenters) add a vCenter column; single-vCenter workbooks are unchanged. */
function vcenterColumn<T>(report: AuditReport, value: (row: T) => string | undefined): Column<T>[] {
  return report.vcenters ? [{ header: 'vCenter', value: (r) => value(r) ?? '', maxWidth: 20 }] : [];
}

export function findingsSheet(report: AuditReport): TableSheet<FindingRow> {
  return {
    name: SHEET_NAMES.findings,
    rows: findingRows(report),
    emptyNote: 'No findings.',
    repeatFirstColumn: true,
    validations: [{ header: FINDING_HEADERS.status, values: [...REVIEW_STATUSES] }],
    columns: [
      { header: FINDING_HEADERS.id, value: (r) => r.id, width: 15 },
      ...vcenterColumn<FindingRow>(report, (r) => r.vcenter),
      { header: 'Severity', value: (r) => r.severity, colours: SEVERITY_COLOURS, width: 9 },
      { header: 'Rule', value: (r) => r.rule, width: 13, wrap: true },
      { header: 'Tenant', value: (r) => r.tenant, width: 9, wrap: true },
      { header: 'Principal', value: (r) => r.principal, width: 13, wrap: true },
      { header: 'Object path', value: (r) => r.path, width: 18, wrap: true },
      { header: 'Object type', value: (r) => r.type, width: 9, wrap: true },
      { header: 'Finding', value: findingText, width: 30, wrap: true },
      { header: 'Granted on', value: (r) => r.evidence?.entity.path, width: 16, wrap: true },
      {
        header: 'Granted to',
        value: (r) =>
          r.evidence && (r.evidence.group ? `group ${r.evidence.principal}` : r.evidence.principal),
        width: 13,
        wrap: true,
      },
      { header: 'Role', value: (r) => r.evidence?.roleName, width: 11, wrap: true },
      {
        header: 'Propagate',
        value: (r) => (r.evidence ? yesNo(r.evidence.propagate) : undefined),
        width: 9,
      },
      {
        header: FINDING_HEADERS.change,
        value: (r) => r.change,
        colours: CHANGE_COLOURS,
        width: 9,
      },
      {
        header: FINDING_HEADERS.status,
        value: (r) => r.status,
        width: 10,
        input: true,
        wrap: true,
      },
      { header: FINDING_HEADERS.owner, value: (r) => r.owner, width: 8, input: true, wrap: true },
      {
        header: FINDING_HEADERS.comment,
        value: (r) => r.comment,
        width: 12,
        input: true,
        wrap: true,
      },
    ],
  };
}

type MatrixRow = AuditReport['leakMatrix']['rows'][number] & { index: number };

export function leakMatrixSheet(report: AuditReport): TableSheet<MatrixRow> {
  const { columns, rows } = report.leakMatrix;
  const unowned = columns.length - 1;
  const colour = (row: MatrixRow, i: number): CellColour | undefined => {
    if (i === row.index) return MATRIX_OWN;
    return (row.counts[i] ?? 0) > 0 ? MATRIX_LEAK : undefined;
  };
  return {
    name: SHEET_NAMES.leakMatrix,
    rows: rows.map((r, index) => ({ ...r, index })),
    emptyNote: 'No tenants audited.',
    repeatFirstColumn: true,
    columns: [
      { header: 'Tenant account', value: (r) => r.tenant, maxWidth: 24 },
      { header: 'Principal', value: (r) => r.principal, maxWidth: 32, wrap: true },
      ...columns.map((name, i): Column<MatrixRow> => ({
        header: i === unowned ? 'unowned' : name,
        value: (r) => r.counts[i] ?? 0,
        width: Math.max(8, Math.min(name.length + 5, 20)),
        colour: (r) => colour(r, i),
      })),
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
    repeatFirstColumn: true,
    columns: [
      { header: 'Tenant', value: (t) => t.tenant, maxWidth: 24 },
      ...vcenterColumn<TenantReportRow>(report, (t) => t.vcenters?.join(', ')),
      { header: 'Verdict', value: (t) => t.verdict, colours: VERDICT_COLOURS, width: 14 },
      { header: 'Mode', value: (t) => t.mode, width: 14 },
      { header: 'Principal', value: (t) => t.principal, maxWidth: 30, wrap: true },
      { header: 'Group', value: (t) => t.group, width: 9 },
      { header: 'Role', value: (t) => t.roleName, maxWidth: 24, wrap: true },
      // Wrapped headers keep count columns narrow, so the sheet fits the page width.
      { header: 'Objects owned', value: (t) => t.ownedObjects, width: 10 },
      { header: 'Shared objects granted', value: (t) => t.sharedObjectsGranted, width: 11 },
      { header: 'Foreign objects reachable', value: (t) => t.foreignObjectsReachable, width: 11 },
      ...tenantCountColumns,
      { header: 'Policy file', value: (t) => t.file, maxWidth: 30 },
    ],
  };
}

/** Column definitions shared by the Summary sheet's tenant block. */
export const SUMMARY_TENANT_COLUMNS: Column<TenantReportRow>[] = [
  { header: 'Tenant', value: (t) => t.tenant },
  { header: 'Verdict', value: (t) => t.verdict, colours: VERDICT_COLOURS },
  ...tenantCountColumns,
];

function lines(evidence: PermissionEvidence[], pick: (p: PermissionEvidence) => string): string {
  return evidence.map(pick).join('\n');
}

// One line per granting permission; wrapped, or Excel would not show the line breaks.
const grantColumns: Column<EffectiveAccessRow>[] = [
  {
    header: 'Granted on',
    value: (r) => lines(r.grantedBy, (p) => p.entity.path),
    maxWidth: 40,
    wrap: true,
  },
  {
    header: 'Granted to',
    value: (r) => lines(r.grantedBy, (p) => p.principal),
    maxWidth: 28,
    wrap: true,
  },
  { header: 'Role', value: (r) => lines(r.grantedBy, (p) => p.roleName), maxWidth: 24, wrap: true },
  {
    header: 'Propagate',
    value: (r) => lines(r.grantedBy, (p) => yesNo(p.propagate)),
    width: 13,
    wrap: true,
  },
];

export function effectiveAccessSheet(report: AuditReport): TableSheet<EffectiveAccessRow> {
  const { sets, ofRow } = privilegeSets(report);
  const set = (i: number) => sets[ofRow[i]!]!;
  const extras = sets.map((s) => s.extra.join(', '));
  return {
    name: SHEET_NAMES.effectiveAccess,
    rows: report.effectiveAccess,
    emptyNote: 'No tenant account reaches any object.',
    columns: [
      ...vcenterColumn<EffectiveAccessRow>(report, (r) => r.vcenter),
      { header: 'Tenant', value: (r) => r.tenant, maxWidth: 18 },
      { header: 'Principal', value: (r) => r.principal, maxWidth: 28 },
      { header: 'Entity path', value: (r) => r.entity.path, maxWidth: 40, wrap: true },
      { header: 'Entity type', value: (r) => r.entity.type, maxWidth: 20 },
      { header: 'Moref', value: (r) => r.entity.moref, maxWidth: 14 },
      { header: 'Owner', value: (r) => r.owner ?? '(no tenant)', maxWidth: 18 },
      {
        header: 'Foreign',
        // "foreign": a VM of another tenant or of nobody, what an isolation audit is about;
        // "shared (policy)": what the tenant policy grants on purpose.
        value: (r) => RELATION_LABELS[r.relation],
        colours: FOREIGN_COLOURS,
        width: 17,
        wrap: true,
      },
      // The role's privileges are listed once on the Roles sheet; here only what goes beyond it.
      { header: 'Effective role', value: (_r, i) => set(i).roleName ?? '(none)', maxWidth: 24 },
      {
        header: 'Privileges beyond role',
        value: (_r, i) => extras[ofRow[i]!],
        maxWidth: 30,
        wrap: true,
      },
      { header: 'Privilege count', value: (_r, i) => set(i).size, width: 10 },
      // With --confirm-with-server only: otherwise every row would say 'not asked'.
      ...(report.serverConfirmation ? [CONFIRMED_BY_VCENTER_COLUMN] : []),
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
      ...vcenterColumn<PermissionRow>(report, (p) => p.vcenter),
      { header: 'Entity path', value: (p) => p.entity.path, maxWidth: 44, wrap: true },
      { header: 'Entity type', value: (p) => p.entity.type, maxWidth: 22 },
      { header: 'Moref', value: (p) => p.entity.moref, maxWidth: 16 },
      { header: 'Principal', value: (p) => p.principal, maxWidth: 32, wrap: true },
      { header: 'Group', value: (p) => p.group, width: 9 },
      { header: 'Role', value: (p) => p.roleName, maxWidth: 26 },
      { header: 'Role id', value: (p) => p.roleId, width: 10 },
      { header: 'Propagate', value: (p) => p.propagate, width: 13 },
      { header: 'Tenant', value: (p) => p.tenant ?? '', maxWidth: 20 },
    ],
  };
}

export interface RolePrivilegeRow {
  roleId: number;
  role: string;
  roleLabel: string | undefined;
  system: boolean;
  tenants: string;
  permissions: number;
  privilege: string | undefined;
  privilegeLabel: string | undefined;
  note?: string;
}

/** Roles with more privileges than this that no tenant uses get one summary row. */
const LISTED_PRIVILEGES = 12;

/**
 * The roles that matter to the audit: the tenant roles, one row per privilege; other roles
 * used by a permission, listed the same way when short, else in one row; unused roles counted.
 */
export function rolePrivilegeRows(report: AuditReport): {
  rows: RolePrivilegeRow[];
  unused: RoleRow[];
} {
  const uses = new Map<number, number>();
  for (const p of report.permissions) uses.set(p.roleId, (uses.get(p.roleId) ?? 0) + 1);
  const tenantsOf = new Map<string, string[]>();
  for (const t of report.tenants) {
    const list = tenantsOf.get(t.roleName) ?? [];
    list.push(t.tenant);
    tenantsOf.set(t.roleName, list);
  }
  const rows: RolePrivilegeRow[] = [];
  const unused: RoleRow[] = [];
  const ordered = [...report.roles].sort(
    (a, b) => Number(tenantsOf.has(b.name)) - Number(tenantsOf.has(a.name)) || a.id - b.id,
  );
  for (const role of ordered) {
    const tenants = tenantsOf.get(role.name) ?? [];
    const permissions = uses.get(role.id) ?? 0;
    if (tenants.length === 0 && permissions === 0) {
      unused.push(role);
      continue;
    }
    const base = {
      roleId: role.id,
      role: role.name,
      roleLabel: role.label,
      system: role.system,
      tenants: tenants.join(', '),
      permissions,
    };
    if (role.privileges.length === 0) {
      rows.push({ ...base, privilege: undefined, privilegeLabel: undefined, note: '(none)' });
    } else if (tenants.length > 0 || role.privileges.length <= LISTED_PRIVILEGES) {
      for (const p of role.privileges) {
        rows.push({ ...base, privilege: p.id, privilegeLabel: p.label });
      }
    } else {
      rows.push({
        ...base,
        privilege: undefined,
        privilegeLabel: undefined,
        note: `(${role.privileges.length} privileges, not listed: no tenant's role; the JSON report lists them)`,
      });
    }
  }
  return { rows, unused };
}

export function rolesSheet(report: AuditReport): TableSheet<RolePrivilegeRow> {
  const { rows, unused } = rolePrivilegeRows(report);
  const unusedRow: RolePrivilegeRow | undefined =
    unused.length > 0
      ? {
          roleId: NaN,
          role: `${unused.length} unused role${unused.length === 1 ? '' : 's'}`,
          roleLabel: undefined,
          system: false,
          tenants: '',
          permissions: 0,
          privilege: undefined,
          privilegeLabel: undefined,
          note: `(not listed: no permission and no tenant uses ${unused.length === 1 ? 'it' : 'them'})`,
        }
      : undefined;
  return {
    name: SHEET_NAMES.roles,
    rows: unusedRow ? [...rows, unusedRow] : rows,
    emptyNote: 'The vCenter returned no roles.',
    columns: [
      {
        header: 'Role id',
        value: (r) => (Number.isNaN(r.roleId) ? undefined : r.roleId),
        width: 10,
      },
      { header: 'Role', value: (r) => r.role, maxWidth: 28 },
      { header: 'Role display name', value: (r) => r.roleLabel, maxWidth: 24 },
      { header: 'System role', value: (r) => (Number.isNaN(r.roleId) ? '' : r.system), width: 14 },
      { header: 'Tenant role of', value: (r) => r.tenants, maxWidth: 24, wrap: true },
      {
        header: 'Permissions',
        value: (r) => (Number.isNaN(r.roleId) ? undefined : r.permissions),
        width: 15,
      },
      { header: 'Privilege id', value: (r) => r.privilege ?? r.note, maxWidth: 46, wrap: true },
      { header: 'Privilege display name', value: (r) => r.privilegeLabel, maxWidth: 40 },
    ],
  };
}

export function roleVsCloudAdminSheet(report: AuditReport): TableSheet<RoleVsCloudAdminRow> {
  return {
    name: SHEET_NAMES.roleVsCloudAdmin,
    rows: report.roleVsCloudAdmin,
    emptyNote:
      'Not compared: neither the documented AVS CloudAdmin privileges nor a live CloudAdmin role were available.',
    columns: [
      { header: 'Role', value: (r) => r.role, maxWidth: 24 },
      { header: 'Privilege id', value: (r) => r.privilege, maxWidth: 50 },
      { header: 'Privilege display name', value: (r) => r.label, maxWidth: 44 },
      { header: 'In role', value: (r) => r.inRole, width: 10 },
      { header: 'In CloudAdmin', value: (r) => r.inCloudAdmin, width: 16 },
      { header: 'Status', value: (r) => r.status, colours: ROLE_STATUS_COLOURS, width: 24 },
      { header: 'Note', value: (r) => r.note, maxWidth: 40, wrap: true },
    ],
  };
}

/** A row of the NSX sheet; fleet reports name the manager (and its vCenter) on each. */
export type NsxSheetRow = NsxWorkbookRow & { manager?: string; vcenter?: string };

/** The NSX sheet, or undefined when the report has no NSX section. */
export function nsxSheet(report: AuditReport): TableSheet<NsxSheetRow> | undefined {
  const managers = report.nsxManagers?.filter((m) => m.section !== undefined) ?? [];
  if (report.nsx === undefined && managers.length === 0) return undefined;
  const rows: NsxSheetRow[] = report.nsx
    ? report.nsx.rows
    : managers.flatMap((m) =>
        m.section!.rows.map((r) => ({
          manager: m.name,
          ...(m.vcenter !== undefined ? { vcenter: m.vcenter } : {}),
          ...r,
        })),
      );
  const fleet: Column<NsxSheetRow>[] = report.nsx
    ? []
    : [
        { header: 'NSX Manager', value: (r) => r.manager, maxWidth: 20 },
        { header: 'vCenter', value: (r) => r.vcenter ?? '(all)', maxWidth: 20 },
      ];
  return {
    name: SHEET_NAMES.nsx,
    rows,
    emptyNote: 'NSX was audited; no LDAP principal is bound to any role.',
    columns: [
      ...fleet,
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

/** One row per server of a fleet report: every vCenter, then every NSX Manager. */
export interface ServerRow {
  kind: 'vCenter' | 'NSX Manager';
  name: string;
  url: string;
  status: 'audited' | 'failed';
  /** NSX Managers: the vCenter served; vCenters: the NSX Managers serving them. */
  linked: string;
  instanceUuid?: string;
  fullName?: string;
  tenants: string;
  findings?: Record<Severity, number>;
  snapshot?: AuditSnapshotInfo;
  /** NSX Managers: when collected. */
  collectedAt?: string;
  snapshotFile?: string;
  error?: string;
}

export function serverRows(report: AuditReport): ServerRow[] {
  const managers = report.nsxManagers ?? [];
  const vcenters = (report.vcenters ?? []).map((v): ServerRow => ({
    kind: 'vCenter',
    name: v.name,
    url: v.url,
    status: v.status,
    linked: managers
      .filter((m) => m.vcenter === v.name)
      .map((m) => m.name)
      .join(', '),
    ...(v.instanceUuid !== undefined ? { instanceUuid: v.instanceUuid } : {}),
    ...(v.fullName !== undefined ? { fullName: v.fullName } : {}),
    tenants: v.tenants.join(', '),
    findings: v.findings,
    ...(v.snapshot ? { snapshot: v.snapshot } : {}),
    ...(v.snapshotFile !== undefined ? { snapshotFile: v.snapshotFile } : {}),
    ...(v.error !== undefined ? { error: v.error } : {}),
  }));
  const nsx = managers.map((m): ServerRow => ({
    kind: 'NSX Manager',
    name: m.name,
    url: m.section?.managerUrl ?? '',
    status: m.status,
    linked: m.vcenter ?? '(all vCenters)',
    tenants: '',
    ...(m.section
      ? { collectedAt: m.section.collectedAt, snapshotFile: m.section.snapshotFile }
      : {}),
    ...(m.error !== undefined ? { error: m.error } : {}),
  }));
  return [...vcenters, ...nsx];
}

const SERVER_STATUS_COLOURS: Record<string, CellColour> = {
  audited: VERDICT_COLOURS['isolated']!,
  failed: VERDICT_COLOURS['not isolated']!,
};

/**
 * Fleet reports: the per-vCenter summary, one row per vCenter (status, tenants, findings by
 * severity, snapshot) and per NSX Manager; a failed server says why.
 */
export function vcentersSheet(report: AuditReport): TableSheet<ServerRow> | undefined {
  if (!report.vcenters) return undefined;
  const count = (s: Severity) => (r: ServerRow) => r.findings?.[s];
  return {
    name: SHEET_NAMES.vcenters,
    rows: serverRows(report),
    emptyNote: 'No vCenters.',
    repeatFirstColumn: true,
    columns: [
      { header: 'Server', value: (r) => r.name, maxWidth: 20 },
      { header: 'Kind', value: (r) => r.kind, width: 12 },
      { header: 'Status', value: (r) => r.status, colours: SERVER_STATUS_COLOURS, width: 10 },
      { header: 'Failure', value: (r) => r.error, maxWidth: 40, wrap: true },
      { header: 'Tenants', value: (r) => r.tenants, maxWidth: 30, wrap: true },
      { header: 'vCenter / NSX Manager', value: (r) => r.linked, maxWidth: 20, wrap: true },
      { header: 'Critical', value: count('critical'), width: 10 },
      { header: 'High', value: count('high'), width: 8 },
      { header: 'Medium', value: count('medium'), width: 10 },
      { header: 'Low', value: count('low'), width: 8 },
      { header: 'Info', value: count('info'), width: 8 },
      { header: 'URL', value: (r) => r.url, maxWidth: 36, wrap: true },
      { header: 'Product', value: (r) => r.fullName, maxWidth: 30, wrap: true },
      { header: 'Instance UUID', value: (r) => r.instanceUuid, maxWidth: 38 },
      {
        header: 'Collected at',
        value: (r) => {
          const at = r.snapshot?.collectedAt ?? r.collectedAt;
          return at !== undefined ? new Date(at) : undefined;
        },
        width: 20,
      },
      { header: 'Entities', value: (r) => r.snapshot?.entityCount, width: 10 },
      { header: 'Permissions', value: (r) => r.snapshot?.permissionCount, width: 12 },
      { header: 'Snapshot SHA-256', value: (r) => r.snapshot?.sha256, maxWidth: 66 },
      { header: 'Snapshot file', value: (r) => r.snapshotFile, maxWidth: 40, wrap: true },
    ],
  };
}
