/**
 * Result types of the isolation audit. JSON consumers rely on rule ids and field
 * names: change them only with a new report format version.
 */
import { SEVERITIES, severityRank, type Severity } from '../model/severity';
import { InputError } from '../util/errors';
import { nearest } from '../util/suggest';

// Defined with the snapshot model (NSX workbook rows carry a severity); the audit's results use it.
export { SEVERITIES, severityRank, type Severity } from '../model/severity';

/**
 * `--fail-on` of `audit` and `nsx audit`: the level that decides a tenant's verdict (isolated
 * means no critical or high finding), so a run fails exactly when a tenant is not isolated.
 */
export const DEFAULT_FAIL_ON = 'high' as const;

export function severityAtOrAbove(s: Severity, threshold: Severity): boolean {
  return severityRank(s) >= severityRank(threshold);
}

/** A severity as a user types it (`--fail-on High`): case-insensitive; the nearest name when misspelt. */
export function parseSeverity(value: string, flag = '--fail-on'): Severity {
  const v = value.trim().toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(v)) return v as Severity;
  const [best] = nearest(v, SEVERITIES, 1);
  throw new InputError(`${flag} "${value}" is not a severity`, {
    hint: `use one of ${SEVERITIES.join(', ')}${best ? ` (did you mean ${best}?)` : ''}`,
  });
}

/** Findings per severity, every severity present (0 when none). */
export function countBySeverity(
  findings: readonly { severity: Severity }[],
): Record<Severity, number> {
  const out = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) out[f.severity]++;
  return out;
}

export const RULES = {
  'cross-tenant-access': 'critical',
  'shared-principal': 'critical',
  'unowned-vm-access': 'high',
  'propagating-grant': 'high',
  'excess-privilege': 'high',
  'role-exceeds-cloudadmin': 'high',
  'no-access-pattern': 'medium',
  'missing-grant': 'medium',
  'mode-mismatch': 'medium',
  'role-drift': 'medium',
  'group-grant-unresolved': 'medium',
  'nsx-cross-tenant-binding': 'critical',
  'nsx-unsupported-role': 'high',
  'nsx-role-exceeds-cloudadmin': 'high',
  // What the tenant's own session discovers (drperm tenant discover, audit --discover).
  'discover-foreign-vm': 'critical',
  'discover-missing-vm': 'high',
  'discover-missing-shared': 'high',
  // vCenter's own effective privileges differ from drperm's (audit --confirm-with-server).
  'server-disagrees': 'high',
} as const satisfies Record<string, Severity>;
export type RuleId = keyof typeof RULES;

import type { EntityRef } from '../model/entity';
export type { EntityRef };

/** A permission as evidence: where it is defined and what it grants. */
export interface PermissionEvidence {
  entity: EntityRef;
  principal: string;
  group: boolean;
  roleId: number;
  roleName: string;
  propagate: boolean;
  /**
   * For a group's permission that reaches a tenant account through membership: the edges from
   * the account up to the group, each with the source and time it was read.
   */
  membershipChain?: MembershipLink[];
}

/** One membership fact of a chain (see src/model/membership.ts MembershipEdge). */
export interface MembershipLink {
  group: string;
  member: string;
  memberIsGroup: boolean;
  source: string;
  at: string;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  tenant: string;
  principal: string;
  /** Fleet audits: the vCenter (its fleet-file name) the finding is about; a list for accounts shared across vCenters. */
  vcenter?: string;
  /** The object concerned; absent for findings about a role or an account as a whole. */
  entity?: EntityRef;
  /** One sentence: what is wrong. */
  message: string;
  /** The permissions (or NSX bindings, as text) that prove it. */
  evidence: PermissionEvidence[];
  /** Extra evidence that is not a vCenter permission (NSX bindings, privilege lists). */
  details?: string[];
  /** One sentence: how to fix it. */
  remediation: string;
}

/** What one principal can do on one entity, and which permissions grant it. */
export interface EffectiveAccessEntry {
  entity: EntityRef;
  /** Effective privilege ids (System.Anonymous excluded from "reaches" but kept here). */
  privileges: string[];
  grantedBy: PermissionEvidence[];
}

export type Verdict = 'isolated' | 'not isolated';

export interface TenantSummary {
  tenant: string;
  mode: 'failback' | 'failover-only';
  principal: string;
  verdict: Verdict;
  /** Objects the policy owns (VMs and management servers) found in the inventory. */
  ownedObjects: number;
  /** Shared objects (datacenter, hosts, datastores, networks, vCenter root) granted to the account. */
  sharedObjectsGranted: number;
  /** VMs of other tenants or of nobody the account reaches. */
  foreignObjectsReachable: number;
  findings: Record<Severity, number>;
}

/** What the auditor may record against a finding (Findings sheet: Status, Owner, Comment). */
export const REVIEW_STATUSES = ['open', 'accepted risk', 'fixed', 'false positive'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export interface FindingReview {
  /** One of REVIEW_STATUSES as a rule; kept as typed when an auditor wrote something else. */
  status?: string;
  owner?: string;
  comment?: string;
}

/** A finding as reports carry it: with its stable id (finding-id.ts). */
export interface TrackedFinding extends Finding {
  /** Fingerprint of rule, tenant, principal, object and evidence: equal across audits of one state. */
  id: string;
  /** Against `--previous`: first seen in this report, or also in the previous one. */
  change?: 'new' | 'unchanged';
  /** Status, Owner and Comment carried over from the previous workbook. */
  review?: FindingReview;
}
