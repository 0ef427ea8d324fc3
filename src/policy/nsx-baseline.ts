/**
 * The AVS NSX baseline (policies/baselines/avs-nsx-cloudadmin.yaml): seed 003's cloudadmin
 * table, the supported and unsupported predefined roles, and the two AVS custom role recipes.
 * Loading is I/O; resolving it against a manager's data is pure.
 */
import { join } from 'node:path';
import { z } from 'zod';
import {
  NsxPermissionSchema,
  type NsxData,
  type NsxFeature,
  type NsxPermission,
  type NsxRole,
} from '../model/nsx';
import { loadYaml } from './yaml-file';
import { permissionAbove } from '../model/nsx-permissions';

const FeatureRowSchema = z
  .object({
    /** Seed 003's category (and subcategory), for people. */
    category: z.string().min(1),
    /** The seed's feature label, matched against feature_name. */
    feature: z.string().min(1),
    permission: NsxPermissionSchema,
    /** Verified feature ids: used before any name matching. */
    ids: z.array(z.string().min(1)).optional(),
    /** Other feature_name spellings, tried before `feature`. */
    names: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type NsxFeatureRow = z.infer<typeof FeatureRowSchema>;

const CustomRoleRecipeSchema = z
  .object({
    id: z.string().regex(/^[_a-z0-9-]+$/, 'NSX role ids are lower case letters, digits, _ and -'),
    displayName: z.string().min(1),
    description: z.string().optional(),
    /** The predefined role to clone: by id, then by display name. */
    cloneFrom: z
      .object({
        ids: z.array(z.string()).default([]),
        displayNames: z.array(z.string()).default([]),
      })
      .strict(),
    /** Features to lower (never raised: a lower permission already in the clone is kept). */
    lower: z.array(FeatureRowSchema).min(1),
  })
  .strict();
export type NsxCustomRoleRecipe = z.infer<typeof CustomRoleRecipeSchema>;

export const NsxBaselinePolicySchema = z
  .object({
    kind: z.literal('nsx-baseline'),
    name: z.string().min(1),
    description: z.string().optional(),
    source: z.string().optional(),
    cloudadmin: z
      .object({
        displayNames: z.array(z.string().min(1)).min(1),
        fallbackIds: z.array(z.string().min(1)).default([]),
      })
      .strict(),
    supportedRoles: z.array(z.string().min(1)),
    unsupportedRoles: z.array(z.string().min(1)),
    otherPredefinedRoles: z.array(z.string().min(1)).default([]),
    features: z.array(FeatureRowSchema).min(1),
    otherFeatures: NsxPermissionSchema,
    customRoles: z.record(z.string().regex(/^[a-z0-9-]+$/), CustomRoleRecipeSchema).default({}),
  })
  .strict();
export type NsxBaselinePolicy = z.infer<typeof NsxBaselinePolicySchema>;

/** The shipped baseline; resolves from both src/policy (ts-jest) and dist/policy (the built CLI). */
export const DEFAULT_NSX_BASELINE_FILE = join(
  __dirname,
  '..',
  '..',
  'policies',
  'baselines',
  'avs-nsx-cloudadmin.yaml',
);

export async function loadNsxBaseline(
  file = DEFAULT_NSX_BASELINE_FILE,
): Promise<NsxBaselinePolicy> {
  return (await loadYaml(file, NsxBaselinePolicySchema, { what: 'NSX baseline' })).value;
}

const squash = (s: string) => s.toLowerCase().replace(/\s+/g, '');
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The manager's features a baseline row stands for: verified ids first, then an exact
 * (case-insensitive) feature_name, then feature_names containing the label as whole words.
 * Internal features never match: NSX ignores their permissions.
 */
export function matchFeatureRow(row: NsxFeatureRow, features: readonly NsxFeature[]): NsxFeature[] {
  const visible = features.filter((f) => !f.internal);
  const byId = visible.filter((f) => row.ids?.includes(f.id));
  if (byId.length > 0) return byId;
  const labels = [...(row.names ?? []), row.feature];
  for (const label of labels) {
    const exact = visible.filter((f) => f.name.toLowerCase() === label.toLowerCase());
    if (exact.length > 0) return exact;
  }
  for (const label of labels) {
    const word = new RegExp(`(^|[^A-Za-z0-9])${escapeRegExp(label)}($|[^A-Za-z0-9])`, 'i');
    const partial = visible.filter((f) => word.test(f.name));
    if (partial.length > 0) return partial;
  }
  return [];
}

/** The manager's cloudadmin role: by display name (spaces ignored), then by fallback id. */
export function findCloudadminRole(
  roles: readonly NsxRole[],
  baseline: NsxBaselinePolicy,
): NsxRole | undefined {
  const names = new Set(baseline.cloudadmin.displayNames.map(squash));
  return (
    roles.find((r) => names.has(squash(r.displayName))) ??
    roles.find((r) => baseline.cloudadmin.fallbackIds.includes(r.id))
  );
}

export type NsxRoleKind =
  'cloudadmin' | 'supported' | 'unsupported' | 'predefined' | 'custom' | 'unknown';

export interface ResolvedNsxBaseline {
  policy: NsxBaselinePolicy;
  cloudadmin?: NsxRole;
  /** Highest permission a role may hold per feature id (features not listed: none). */
  limits: Map<string, NsxPermission>;
  /** Where the limits come from: the manager's cloudadmin role, or seed 003's table. */
  limitSource: 'server-role' | 'documented-table';
  /** Baseline rows and the feature ids they matched on this manager. */
  rows: { row: NsxFeatureRow; featureIds: string[] }[];
  unmatchedRows: NsxFeatureRow[];
  /** For people: unmatched rows, and where the manager's cloudadmin differs from seed 003. */
  notes: string[];
  /** Classifies a role id on this manager. */
  kindOf(roleId: string): NsxRoleKind;
}

export function resolveNsxBaseline(nsx: NsxData, policy: NsxBaselinePolicy): ResolvedNsxBaseline {
  const cloudadmin = findCloudadminRole(nsx.roles, policy);
  const rows = policy.features.map((row) => ({
    row,
    featureIds: matchFeatureRow(row, nsx.features).map((f) => f.id),
  }));
  const unmatchedRows = rows.filter((r) => r.featureIds.length === 0).map((r) => r.row);
  const notes = unmatchedRows.map(
    (row) =>
      `baseline row "${row.category}: ${row.feature}" (${row.permission}) matches no feature on this NSX Manager`,
  );

  const limits = new Map<string, NsxPermission>();
  let limitSource: ResolvedNsxBaseline['limitSource'];
  if (cloudadmin) {
    limitSource = 'server-role';
    for (const fp of cloudadmin.features) limits.set(fp.feature, fp.permission);
    notes.push(...tableDrift(rows, cloudadmin, nsx.features));
  } else {
    limitSource = 'documented-table';
    notes.push(
      `no cloudadmin role found on this NSX Manager (display name ${policy.cloudadmin.displayNames.join(' / ')}); limits come from seed 003's table`,
    );
    for (const f of nsx.features) if (!f.internal) limits.set(f.id, policy.otherFeatures);
    for (const { row, featureIds } of rows)
      for (const id of featureIds) limits.set(id, row.permission);
  }

  const supported = new Set(policy.supportedRoles);
  const unsupported = new Set(policy.unsupportedRoles);
  const predefined = new Set(policy.otherPredefinedRoles);
  const known = new Map(nsx.roles.map((r) => [r.id, r]));
  const kindOf = (roleId: string): NsxRoleKind => {
    if (cloudadmin && roleId === cloudadmin.id) return 'cloudadmin';
    if (unsupported.has(roleId)) return 'unsupported';
    if (supported.has(roleId)) return 'supported';
    if (predefined.has(roleId)) return 'predefined';
    const role = known.get(roleId);
    if (!role) return 'unknown';
    return role.systemOwned ? 'predefined' : 'custom';
  };

  return {
    policy,
    ...(cloudadmin ? { cloudadmin } : {}),
    limits,
    limitSource,
    rows,
    unmatchedRows,
    notes,
    kindOf,
  };
}

/** Where the manager's cloudadmin holds more or less than seed 003 documents. */
function tableDrift(
  rows: { row: NsxFeatureRow; featureIds: string[] }[],
  cloudadmin: NsxRole,
  features: readonly NsxFeature[],
): string[] {
  const held = new Map(cloudadmin.features.map((fp) => [fp.feature, fp.permission]));
  const nameOf = new Map(features.map((f) => [f.id, f.name]));
  const notes: string[] = [];
  for (const { row, featureIds } of rows) {
    for (const id of featureIds) {
      const actual = held.get(id) ?? 'none';
      if (actual !== row.permission) {
        const direction = permissionAbove(actual, row.permission) ? 'more' : 'less';
        notes.push(
          `cloudadmin role "${cloudadmin.displayName}" holds ${actual} on ${nameOf.get(id) ?? id} (${id}); seed 003 documents ${row.permission} (${direction} than documented)`,
        );
      }
    }
  }
  return notes;
}
