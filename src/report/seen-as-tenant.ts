/**
 * The report parts of `audit --discover` and `audit --confirm-with-server`, kept apart from
 * the other sheets: the "Seen as tenant" sheet and Markdown section, the Summary lines on how
 * many entities vCenter confirmed, and the Effective access column "Confirmed by vCenter".
 */
import type { AuditReport, EffectiveAccessRow } from '../audit/report-model';
import type { SeenObject } from '../audit/seen-as-tenant';
import type { CellInput, Column, TableSheet } from './xlsx-table';

export const SEEN_AS_TENANT_SHEET = 'Seen as tenant';

/** One row per object a tenant's session sees, and per object it should see but does not. */
export interface SeenAsTenantRow {
  tenant: string;
  /** Fleet reports: the vCenter the session logged in to. */
  vcenter?: string;
  principal: string;
  status: string;
  kind: string;
  path: string;
  moref: string;
  folder?: string;
  resourcePool?: string;
  owner?: string;
}

function seenStatus(o: SeenObject): string {
  if (o.kind !== 'vm') return 'visible';
  return o.foreign ? 'FOREIGN: visible' : 'own: visible';
}

export function seenAsTenantRows(report: AuditReport): SeenAsTenantRow[] {
  const rows: SeenAsTenantRow[] = [];
  for (const t of report.seenAsTenant ?? []) {
    const base = {
      tenant: t.tenant,
      ...(t.vcenter !== undefined ? { vcenter: t.vcenter } : {}),
      principal: t.principal,
    };
    if (t.status === 'not discovered') {
      rows.push({
        ...base,
        status: `not discovered: ${t.reason ?? ''}`,
        kind: '',
        path: '',
        moref: '',
      });
      continue;
    }
    for (const o of t.objects) {
      rows.push({
        ...base,
        status: seenStatus(o),
        kind: o.kind,
        path: o.entity.path,
        moref: o.entity.moref,
        ...(o.folder !== undefined ? { folder: o.folder } : {}),
        ...(o.resourcePool !== undefined ? { resourcePool: o.resourcePool } : {}),
        ...(o.kind === 'vm' ? { owner: o.owner ?? '(no tenant)' } : {}),
      });
    }
    for (const vm of t.missingVms) {
      rows.push({
        ...base,
        status: 'NOT VISIBLE: not discoverable in the Azure portal',
        kind: 'vm',
        path: vm.path,
        moref: vm.moref,
        owner: t.tenant,
      });
    }
    for (const s of t.missingShared) {
      rows.push({
        ...base,
        status: 'NOT VISIBLE',
        kind: s.kind,
        path: s.entity.path,
        moref: s.entity.moref,
      });
    }
  }
  return rows;
}

export function seenAsTenantSheet(report: AuditReport): TableSheet<SeenAsTenantRow> | undefined {
  if (!report.seenAsTenant) return undefined;
  return {
    name: SEEN_AS_TENANT_SHEET,
    rows: seenAsTenantRows(report),
    emptyNote: 'No tenant account was discovered.',
    columns: [
      { header: 'Tenant', value: (r) => r.tenant, maxWidth: 20 },
      ...(report.vcenters
        ? [{ header: 'vCenter', value: (r: SeenAsTenantRow) => r.vcenter ?? '', maxWidth: 20 }]
        : []),
      { header: 'Principal', value: (r) => r.principal, maxWidth: 28 },
      { header: 'Status', value: (r) => r.status, maxWidth: 36, wrap: true },
      { header: 'Kind', value: (r) => r.kind, maxWidth: 18 },
      { header: 'Path', value: (r) => r.path, maxWidth: 44, wrap: true },
      { header: 'Moref', value: (r) => r.moref, maxWidth: 14 },
      { header: 'Folder', value: (r) => r.folder, maxWidth: 30, wrap: true },
      { header: 'Resource pool', value: (r) => r.resourcePool, maxWidth: 36, wrap: true },
      { header: 'Owner', value: (r) => r.owner, maxWidth: 20 },
    ],
  };
}

/** The Effective access column: yes / differs / not asked (see README "Confirmed by vCenter"). */
export const CONFIRMED_BY_VCENTER_COLUMN: Column<EffectiveAccessRow> = {
  header: 'Confirmed by vCenter',
  value: (r) => r.confirmedByVcenter ?? 'not asked',
  width: 22,
};

/** Summary sheet lines: what vCenter confirmed, and what each tenant's session discovered. */
export function serverCheckSummary(
  report: AuditReport,
): Array<{ field: string; value: CellInput }> {
  const out: Array<{ field: string; value: CellInput }> = [];
  const c = report.serverConfirmation;
  if (c) {
    out.push(
      { field: 'Confirmed by vCenter: entity answers', value: c.totals.entitiesAsked },
      { field: 'Confirmed by vCenter: agree', value: c.totals.agreed },
      { field: 'Confirmed by vCenter: differ', value: c.totals.differs },
      { field: 'Confirmed by vCenter: method', value: c.method },
      { field: 'Confirmed by vCenter: groups', value: c.groupNote },
    );
    for (const t of c.tenants) {
      out.push({
        field: `Confirmed by vCenter: ${t.tenant}${at(t.vcenter)}`,
        value: t.asked
          ? `${t.agreed} of ${t.entitiesAsked} agree, ${t.differs} differ`
          : `not asked: ${t.reason ?? ''}`,
      });
    }
  }
  for (const t of report.seenAsTenant ?? []) {
    out.push({ field: `Seen as tenant: ${t.tenant}${at(t.vcenter)}`, value: seenLine(t) });
  }
  return out;
}

/** " @ vCenter" for fleet reports, where a tenant may live on several. */
function at(vcenter: string | undefined): string {
  return vcenter !== undefined ? ` @ ${vcenter}` : '';
}

function seenLine(t: NonNullable<AuditReport['seenAsTenant']>[number]): string {
  if (t.status === 'not discovered') return `not discovered: ${t.reason ?? ''}`;
  const c = t.counts;
  const verdict =
    t.status === 'exact' ? 'sees exactly what it should' : `${t.findings.length} finding(s)`;
  return `${verdict}: ${c.ownVms} own VM(s), ${c.foreignVms} foreign VM(s), ${t.missingVms.length} own VM(s) not visible, ${t.missingShared.length} shared object(s) not visible`;
}

/** Markdown lines (already escaped by `e`). */
export function serverCheckMarkdown(report: AuditReport, e: (text: string) => string): string[] {
  const out: string[] = [];
  const c = report.serverConfirmation;
  if (c) {
    out.push('## Confirmed by vCenter', '');
    out.push(
      `vCenter answered for ${c.totals.entitiesAsked} entity/account pairs: ${c.totals.agreed} agree with drperm's computation, ${c.totals.differs} differ (\`server-disagrees\`).`,
      '',
      e(c.groupNote),
      '',
    );
    for (const t of c.tenants) {
      out.push(
        `- ${e(t.tenant + at(t.vcenter))}: ${t.asked ? `${t.agreed} of ${t.entitiesAsked} agree, ${t.differs} differ` : `not asked: ${e(t.reason ?? '')}`}`,
      );
    }
    out.push('');
  }
  if (report.seenAsTenant) {
    out.push('## Seen as tenant', '');
    out.push('| Tenant | Account | What its own session discovers |', '|---|---|---|');
    for (const t of report.seenAsTenant) {
      out.push(`| ${e(t.tenant + at(t.vcenter))} | ${e(t.principal)} | ${e(seenLine(t))} |`);
    }
    out.push('');
    for (const t of report.seenAsTenant) {
      for (const o of t.objects) {
        if (o.kind === 'vm' && o.foreign) {
          out.push(
            `- ${e(t.tenant)} sees foreign VM ${e(o.entity.path)} (owner ${e(o.owner ?? 'none')})`,
          );
        }
      }
      for (const vm of t.missingVms) out.push(`- ${e(t.tenant)} does not see its VM ${e(vm.path)}`);
    }
    out.push('');
  }
  return out;
}
