/** Text renderings of NSX results for people (stdout); --json prints the objects instead. */
import { countBySeverity, SEVERITIES, type Finding } from '../audit/types';
import type { NsxData } from '../model/nsx';
import type { ResolvedNsxBaseline } from '../policy/nsx-baseline';

export function describeBaseline(b: ResolvedNsxBaseline): string {
  return b.cloudadmin
    ? `limits: the manager's cloudadmin role "${b.cloudadmin.displayName}" (${b.cloudadmin.id})`
    : "limits: seed 003's cloudadmin table (no cloudadmin role on the manager)";
}

export function formatNsxAudit(
  nsx: NsxData,
  tenants: readonly string[],
  baseline: ResolvedNsxBaseline,
  findings: readonly Finding[],
): string[] {
  const lines = [
    `NSX audit of ${nsx.manager.url} (collected ${nsx.collectedAt} as ${nsx.manager.username}): ${nsx.roles.length} roles, ${nsx.bindings.length} bindings, tenants ${tenants.join(', ') || '(none)'}`,
    describeBaseline(baseline),
    ...baseline.notes.map((n) => `note: ${n}`),
    '',
  ];
  for (const f of findings) {
    lines.push(
      `${f.severity.toUpperCase()} ${f.rule}  tenant ${f.tenant}${f.principal ? `  ${f.principal}` : ''}`,
    );
    lines.push(`  ${f.message}`);
    for (const d of f.details ?? []) lines.push(`    ${d}`);
    lines.push(`  fix: ${f.remediation}`);
  }
  const counts = countBySeverity(findings);
  const summary = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  lines.push(
    findings.length === 0
      ? 'No NSX findings.'
      : `${findings.length} NSX finding${findings.length > 1 ? 's' : ''}: ${summary.join(', ')}`,
  );
  return lines;
}
