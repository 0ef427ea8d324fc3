/** Human output of the tenant commands: one table per tenant, plain text, stable column order. Pure. */
import { escapeControl } from '../util/escape';
import type { ExecutionReport } from './apply';
import { describeOtherChange, type OtherChange } from './others';
import type { PermissionChange } from './changes';
import type { RestorePlan } from './restore';
import type { RollbackPlan } from './rollback';
import { describeState, type DriftFinding } from './tenant-drift';
import type { PermissionState, PlanRefusal, TenantPlan } from './tenant-plan';

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  // A name with a newline would split its row, an ESC sequence would reach the terminal.
  const all = [header, ...rows].map((r) => r.map((cell) => escapeControl(cell)));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

const state = (s: PermissionState | undefined) => (s ? describeState(s) : '-');
const ACTION_LABEL = { add: 'add', change: 'change', 'in-place': 'in place' } as const;

export function tenantHeading(plan: TenantPlan): string {
  return `Tenant ${plan.tenant}: ${plan.group ? 'group' : 'user'} ${plan.principal}, ${plan.mode}, role ${plan.roleName}${plan.file ? ` (${plan.file})` : ''}`;
}

export function renderPlan(plan: TenantPlan): string[] {
  const lines = [tenantHeading(plan)];
  lines.push(
    ...table(
      ['ACTION', 'OBJECT', 'KIND', 'NOW', 'AFTER', 'FROM'],
      plan.objects.map((o) => [
        ACTION_LABEL[o.action],
        o.entity.path,
        o.kind,
        state(o.current),
        describeState(o.desired),
        o.source,
      ]),
    ).map((l) => `  ${l}`),
  );
  if (plan.risks.length > 0) {
    lines.push(`  Permissions of ${plan.principal} the policy does not name:`);
    lines.push(
      ...table(
        ['ACTION', 'OBJECT', 'NOW', 'WHY IT MATTERS'],
        plan.risks.map((r) => [
          r.action === 'remove' ? 'remove' : 'keep (risk)',
          r.entity.path,
          describeState(r.current),
          r.reason,
        ]),
      ).map((l) => `    ${l}`),
    );
    if (plan.risks.some((r) => r.action === 'keep'))
      lines.push('    (kept; pass --prune to remove them)');
  }
  for (const n of plan.notes) lines.push(`  note: ${n}`);
  const s = plan.summary;
  lines.push(
    `  ${s.add} to add, ${s.change} to change, ${s.inPlace} in place${s.remove > 0 ? `, ${s.remove} to remove` : ''}${s.keep > 0 ? `, ${s.keep} risk(s) kept` : ''}`,
  );
  return lines;
}

export function renderRefusals(refusals: readonly PlanRefusal[]): string[] {
  const lines = [`refused (nothing was changed): ${refusals.length} problem(s)`];
  for (const r of refusals) {
    lines.push(`  ${r.kind}: ${r.message}`);
    if (r.hint) lines.push(`    hint: ${r.hint}`);
  }
  return lines;
}

export function renderFindings(tenant: string, findings: readonly DriftFinding[]): string[] {
  if (findings.length === 0) return [`Tenant ${tenant}: no differences`];
  return [
    `Tenant ${tenant}: ${findings.length} difference(s)`,
    ...table(
      ['KIND', 'OBJECT', 'EXPECTED', 'ACTUAL', 'DETAIL'],
      findings.map((f) => [f.kind, f.path ?? '-', state(f.expected), state(f.actual), f.message]),
    ).map((l) => `  ${l}`),
  ];
}

export function renderChanges(changes: readonly PermissionChange[]): string[] {
  return table(
    ['ACTION', 'OBJECT', 'AFTER'],
    changes.map((c) => [c.action, c.entity.path, c.desired ? describeState(c.desired) : '(none)']),
  ).map((l) => `  ${l}`);
}

/** Per object and principal: the permission now, and the one the backup puts back. */
export function renderRestorePlan(plan: RestorePlan): string[] {
  const lines =
    plan.writes.length > 0
      ? table(
          ['PRINCIPAL', 'OBJECT', 'NOW', 'RESTORED TO'],
          plan.writes.map((w) => [
            `${w.principal.principal}${w.principal.group ? ' (group)' : ''}`,
            w.change.entity.path,
            state(w.current),
            w.change.desired ? describeState(w.change.desired) : '(none: removed)',
          ]),
        ).map((l) => `  ${l}`)
      : [];
  if (plan.unchanged > 0) lines.push(`  ${plan.unchanged} permission(s) already as in the backup`);
  for (const p of plan.problems) lines.push(`  problem: ${p}`);
  return lines;
}

export function renderRollbackPlan(plan: RollbackPlan): string[] {
  const lines = plan.changes.length > 0 ? renderChanges(plan.changes) : [];
  if (plan.unchanged.length > 0)
    lines.push(`  ${plan.unchanged.length} object(s) already as in the backup`);
  for (const p of plan.problems) lines.push(`  problem: ${p}`);
  return lines;
}

/** Other principals' permissions that differ from the backup: somebody else's, reported only. */
export function renderOthersChanged(
  changes: readonly OtherChange[],
  backupFile: string | undefined,
  what = 'changed by someone else during the apply; not touched',
): string[] {
  if (changes.length === 0) return [];
  return [
    `  ${changes.length} permission(s) of other principals ${what}${backupFile ? ` (backup: ${backupFile})` : ''}:`,
    ...changes.map((c) => `    ${describeOtherChange(c)}`),
  ];
}

export function renderExecution(report: ExecutionReport, backupFile?: string): string[] {
  const lines = [
    `  ${report.done} done and verified, ${report.failed} failed, ${report.notAttempted} not attempted${report.interrupted ? ' (interrupted)' : ''}`,
  ];
  for (const o of report.outcomes) {
    if (o.status === 'done') {
      if (o.note) lines.push(`  done: ${o.change.action} ${o.change.entity.path}: ${o.note}`);
      continue;
    }
    lines.push(
      `  ${o.status === 'failed' ? 'FAILED' : 'not attempted'}: ${o.change.action} ${o.change.entity.path}${o.error ? `: ${o.error}` : ''}`,
    );
  }
  lines.push(...renderOthersChanged(report.othersChanged, backupFile));
  return lines;
}
