/**
 * What `audit --confirm-with-server` and `audit --discover` hand to the audit use case
 * (src/ops/audit.ts): their findings, which join the audit's before verdicts are made, the
 * "Confirmed by vCenter" status of each Effective access row, and their report sections.
 */
import type { AuditResult } from '../audit/audit';
import type { AuditReport } from '../audit/report-model';
import type { Finding } from '../audit/types';
import type { ConfirmRun } from './confirm';
import type { TenantDiscoveryResult } from './discover';

export interface ServerCheckResults {
  findings: Finding[];
  confirm?: ConfirmRun;
  seen?: TenantDiscoveryResult[];
}

/**
 * Fills in "Confirmed by vCenter" and records what vCenter's answer says about groups drperm
 * could not resolve: vCenter expands memberships itself, so where it agrees on every entity
 * those groups give the account nothing drperm did not count.
 */
export function withServerChecks(
  result: AuditResult,
  checks: ServerCheckResults | undefined,
): void {
  const confirm = checks?.confirm;
  if (!confirm) return;
  for (const row of result.effectiveAccess) {
    row.confirmedByVcenter = confirm.status(row.tenant, row.entity.moref);
  }
  for (const t of confirm.confirmation.tenants) {
    const unresolved = result.findings.filter(
      (f) => f.rule === 'group-grant-unresolved' && f.tenant === t.tenant,
    ).length;
    if (!t.asked || unresolved === 0) continue;
    result.warnings.push(
      t.differs === 0
        ? `tenant ${t.tenant}: vCenter, which expands group memberships itself, agrees with drperm on all ${t.entitiesAsked} entities: the ${unresolved} group grant(s) drperm could not resolve give the account nothing beyond what drperm computed`
        : `tenant ${t.tenant}: vCenter differs on ${t.differs} entities while ${unresolved} group grant(s) are unresolved: check the memberships given with --membership (server-disagrees findings)`,
    );
  }
}

export function serverCheckSections(
  checks: ServerCheckResults | undefined,
): Pick<AuditReport, 'seenAsTenant' | 'serverConfirmation'> {
  return {
    ...(checks?.seen ? { seenAsTenant: checks.seen } : {}),
    ...(checks?.confirm ? { serverConfirmation: checks.confirm.confirmation } : {}),
  };
}
