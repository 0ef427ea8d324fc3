/**
 * Findings compared with a previous report (`drperm audit --previous`): each finding is new
 * or unchanged by its id, the previous ones missing now are resolved, and the auditor's
 * Status, Owner and Comment follow the id from the previous workbook.
 */
import { formatTwoFindingId } from './finding-id';
import type { PreviousComparison, ResolvedFinding } from './report-model';
import type { FindingReview, TrackedFinding } from './types';

/** What a previous JSON report or workbook says about its findings. */
export interface PreviousReport {
  file: string;
  generatedAt?: string;
  findings: ResolvedFinding[];
  /**
   * A fleet report of format 2, whose ids did not fingerprint the vCenter: its findings are
   * matched by their format 2 id and their vCenter.
   */
  fleetIdsWithoutVcenter?: boolean;
}

function hasReview(r: FindingReview | undefined): r is FindingReview {
  return r !== undefined && Boolean(r.status || r.owner || r.comment);
}

export function compareWithPrevious(
  findings: readonly TrackedFinding[],
  previous: PreviousReport,
): { findings: TrackedFinding[]; comparison: PreviousComparison } {
  const legacy = previous.fleetIdsWithoutVcenter === true;
  const previousKey = (f: ResolvedFinding) => (legacy ? `${f.id}\u0000${f.vcenter ?? ''}` : f.id);
  const currentKey = (f: TrackedFinding) =>
    legacy && f.vcenter !== undefined ? `${formatTwoFindingId(f)}\u0000${f.vcenter}` : f.id;
  const before = new Map(previous.findings.map((f) => [previousKey(f), f]));
  const now = new Set(findings.map(currentKey));
  let unchanged = 0;
  const marked = findings.map((f): TrackedFinding => {
    const old = before.get(currentKey(f));
    if (!old) return { ...f, change: 'new' };
    unchanged++;
    return { ...f, change: 'unchanged', ...(hasReview(old.review) ? { review: old.review } : {}) };
  });
  const resolved = previous.findings.filter((f) => !now.has(previousKey(f)));
  return {
    findings: marked,
    comparison: {
      file: previous.file,
      ...(previous.generatedAt !== undefined ? { generatedAt: previous.generatedAt } : {}),
      counts: { new: findings.length - unchanged, unchanged, resolved: resolved.length },
      resolved,
    },
  };
}
