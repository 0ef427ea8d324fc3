/**
 * The NSX use cases: collect an NSX snapshot, audit NSX roles and bindings against the AVS
 * limits and the tenants, and plan / apply the AVS custom roles (README "NSX").
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { countBySeverity, severityAtOrAbove, type Finding, type Severity } from '../audit/types';
import type { NsxData, NsxRole } from '../model/nsx';
import { defaultSnapshotPath, sha256Hex } from '../model/snapshot-file';
import { auditNsx } from '../audit/rules/nsx';
import {
  resolveNsxBaseline,
  type NsxBaselinePolicy,
  type ResolvedNsxBaseline,
} from '../policy/nsx-baseline';
import type { NsxClient } from '../nsx/client';
import { collectNsx, roleFromWire, rolePath, type WireRole } from '../nsx/collect';
import {
  buildAvsCustomRole,
  describeNsxRoleChange,
  diffNsxRole,
  excessOverCloudadmin,
  roleWithFeaturesBody,
} from '../nsx/custom-roles';
import { describeBaseline } from '../nsx/format';
import { nsxSnapshotText } from '../nsx/snapshot-file';
import { nsxWorkbookRows } from '../report/nsx-sheet';
import type { TenantPolicy } from '../policy/schemas';
import { InputError, ServerError } from '../util/errors';
import { eventLogger, warn, type Emit } from './events';

export function collectNsxData(client: NsxClient, username: string, emit: Emit): Promise<NsxData> {
  return collectNsx(client, username, eventLogger(emit));
}

export interface NsxCollectReport {
  path: string;
  sha256: string;
  manager: NsxData['manager'];
  counts: { features: number; roles: number; bindings: number };
  warnings: string[];
}

/** `nsx collect`: the NSX snapshot file (default under reports/). */
export async function collectNsxToFile(
  client: NsxClient,
  username: string,
  out: string | undefined,
  emit: Emit,
  /** The fleet's vCenter this manager serves, recorded in the snapshot. */
  vcenter?: string,
): Promise<NsxCollectReport> {
  const collected = await collectNsxData(client, username, emit);
  const data =
    vcenter !== undefined
      ? { ...collected, manager: { ...collected.manager, vcenter } }
      : collected;
  const path =
    out ?? defaultSnapshotPath('nsx-snapshot', data.manager.url, new Date(data.collectedAt));
  const text = nsxSnapshotText(data);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, { encoding: 'utf8', mode: 0o640 });
  return {
    path,
    sha256: sha256Hex(text),
    manager: data.manager,
    counts: {
      features: data.features.length,
      roles: data.roles.length,
      bindings: data.bindings.length,
    },
    warnings: data.warnings,
  };
}

export interface NsxAuditOutcome {
  baseline: ResolvedNsxBaseline;
  findings: Finding[];
  counts: Record<Severity, number>;
  /** Findings at or above --fail-on: exit 1 when any. */
  failing: number;
  rows: ReturnType<typeof nsxWorkbookRows>;
}

/** `nsx audit`: the NSX findings of one NSX snapshot (live or from a file). */
export function auditNsxData(
  data: NsxData,
  tenants: readonly TenantPolicy[],
  policy: NsxBaselinePolicy,
  failOn: Severity,
): NsxAuditOutcome {
  const baseline = resolveNsxBaseline(data, policy);
  const findings = auditNsx(data, tenants, baseline);
  return {
    baseline,
    findings,
    counts: countBySeverity(findings),
    failing: findings.filter((f) => severityAtOrAbove(f.severity, failOn)).length,
    rows: nsxWorkbookRows(data, findings, { baseline, tenants }),
  };
}

export interface NsxRolePlan {
  data: NsxData;
  built: ReturnType<typeof buildAvsCustomRole>;
  existing: NsxRole | undefined;
  change: ReturnType<typeof diffNsxRole>;
  /** The difference for people. */
  lines: string[];
  featureNames: Map<string, string>;
}

/**
 * `nsx role plan`: build the AVS custom role from the manager's own role and the recipe,
 * refuse it (InputError, exit 2) if it would hold more than cloudadmin on any feature, and
 * compare it with the role on the manager. Nothing is sent.
 */
export async function planNsxRole(
  client: NsxClient,
  username: string,
  policy: NsxBaselinePolicy,
  name: string,
  mode: 'plan' | 'apply',
  emit: Emit,
): Promise<NsxRolePlan> {
  const data = await collectNsxData(client, username, emit);
  const baseline = resolveNsxBaseline(data, policy);
  const built = buildAvsCustomRole(name, data, baseline);
  for (const row of built.unmatchedRows) {
    warn(
      emit,
      `recipe row "${row.category}: ${row.feature}" matches no feature on this manager; not lowered`,
    );
  }
  const excess = excessOverCloudadmin(built.role, data, baseline);
  if (excess.length > 0) {
    throw new InputError(
      `refusing to ${mode === 'apply' ? 'send' : 'plan'} NSX role ${built.role.id}: it would hold more than cloudadmin on ${excess
        .map((e) => `${e.featureName} (${e.feature}: ${e.held}, cloudadmin ${e.limit})`)
        .join(', ')}`,
      {
        hint: `${describeBaseline(baseline)}. AVS refuses such roles; lower these features in the recipe (--baseline) or ask Microsoft about cloudadmin's permissions`,
      },
    );
  }
  const existing = data.roles.find((r) => r.id === built.role.id);
  const featureNames = new Map(data.features.map((f) => [f.id, f.name || f.id]));
  const change = diffNsxRole(existing, built.role, featureNames);
  return {
    data,
    built,
    existing,
    change,
    lines: describeNsxRoleChange(change, built),
    featureNames,
  };
}

/**
 * `nsx role apply` (after the caller's confirmation): PUT the role, then read it back; the
 * manager ignores some fields silently (internal features), so only the read-back proves it.
 */
export async function applyNsxRole(client: NsxClient, plan: NsxRolePlan): Promise<void> {
  const { built, existing, featureNames, data } = plan;
  const roleId = built.role.id;
  const path = rolePath(roleId);
  await client.put(path, roleWithFeaturesBody(built.role, existing));
  const internal = new Set(data.features.filter((f) => f.internal).map((f) => f.id));
  const after = roleFromWire(await client.get<WireRole>(path), internal);
  const left = diffNsxRole(after, built.role, featureNames);
  if (left.action !== 'none') {
    throw new ServerError(
      `NSX Manager accepted role ${roleId} but reads it back differently: ${describeNsxRoleChange(left, built).join('; ')}`,
    );
  }
}
