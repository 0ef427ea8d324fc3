/** Rows of the auditor workbook's "NSX" sheet: every role of every binding on every path. */
import { severityRank, type Finding } from '../audit/types';
import type { NsxData, NsxWorkbookRow } from '../model/nsx';
import { bindingEvidence, type NsxTenant } from '../audit/rules/nsx';
import type { ResolvedNsxBaseline } from '../policy/nsx-baseline';

export function nsxWorkbookRows(
  nsx: NsxData,
  findings: readonly Finding[],
  context: { baseline?: ResolvedNsxBaseline; tenants?: readonly NsxTenant[] } = {},
): NsxWorkbookRow[] {
  const roleNames = new Map(nsx.roles.map((r) => [r.id, r.displayName]));
  const nsxFindings = findings.filter((f) => f.rule.startsWith('nsx-'));
  const rows: NsxWorkbookRow[] = [];
  for (const b of nsx.bindings) {
    const tenant = (context.tenants ?? [])
      .filter((t) => t.nsx?.principals.some((p) => p.toLowerCase() === b.name.toLowerCase()))
      .map((t) => t.tenant)
      .join(', ');
    for (const rp of b.rolesForPaths) {
      for (const roleId of rp.roles) {
        const roleName = roleNames.get(roleId) ?? roleId;
        const evidence = bindingEvidence(b, rp.path, roleId, roleName);
        const matched = nsxFindings.filter((f) => f.details?.includes(evidence));
        const top = matched.reduce<Finding | undefined>(
          (best, f) => (!best || severityRank(f.severity) > severityRank(best.severity) ? f : best),
          undefined,
        );
        rows.push({
          tenant,
          principal: b.name,
          principalType: b.type,
          identitySource: b.identitySourceType ?? '',
          path: rp.path,
          roleId,
          roleName,
          roleKind: context.baseline?.kindOf(roleId) ?? '',
          rules: [...new Set(matched.map((f) => f.rule))].join(', '),
          severity: top?.severity ?? '',
        });
      }
    }
  }
  return rows;
}
