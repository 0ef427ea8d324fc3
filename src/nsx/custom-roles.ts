/**
 * Seed 003's AVS custom roles ("AVS Network Admin", "AVS Security Admin"): clone a predefined
 * role from the manager, lower the listed features, refuse anything above cloudadmin, and
 * compare with what the manager already has. Pure: the command does the I/O.
 */
import type { NsxData, NsxFeaturePermission, NsxPermission, NsxRole } from '../model/nsx';
import { InputError } from '../util/errors';
import { nearest } from '../util/suggest';
import {
  matchFeatureRow,
  type NsxBaselinePolicy,
  type NsxCustomRoleRecipe,
  type NsxFeatureRow,
  type ResolvedNsxBaseline,
} from '../policy/nsx-baseline';
import { excessOver, lowerOf, type PermissionExcess } from '../model/nsx-permissions';

export interface DesiredNsxRole {
  id: string;
  displayName: string;
  description?: string;
  /** Every non-internal feature of the cloned role, lowered where the recipe says. */
  features: NsxFeaturePermission[];
}

export interface BuiltNsxRole {
  recipe: string;
  role: DesiredNsxRole;
  clonedFrom: NsxRole;
  lowered: { feature: string; featureName: string; from: NsxPermission; to: NsxPermission }[];
  /** Recipe rows this manager has no feature for. */
  unmatchedRows: NsxFeatureRow[];
}

export function recipeNames(policy: NsxBaselinePolicy): string[] {
  return Object.keys(policy.customRoles);
}

/** The named recipe, or an InputError suggesting the nearest name (checked before connecting). */
export function recipeFor(policy: NsxBaselinePolicy, recipeName: string): NsxCustomRoleRecipe {
  const recipe = policy.customRoles[recipeName];
  if (recipe) return recipe;
  const names = recipeNames(policy);
  throw new InputError(`unknown NSX custom role "${recipeName}"`, {
    hint: `known roles: ${names.join(', ')}; did you mean ${nearest(recipeName, names, 1)[0] ?? names[0]}?`,
  });
}

export function buildAvsCustomRole(
  recipeName: string,
  nsx: NsxData,
  baseline: ResolvedNsxBaseline,
): BuiltNsxRole {
  const recipe = recipeFor(baseline.policy, recipeName);
  const source =
    nsx.roles.find((r) => recipe.cloneFrom.ids.includes(r.id)) ??
    nsx.roles.find((r) =>
      recipe.cloneFrom.displayNames.some((n) => n.toLowerCase() === r.displayName.toLowerCase()),
    );
  if (!source) {
    throw new InputError(
      `cannot build ${recipe.displayName}: the NSX Manager has no role ${[...recipe.cloneFrom.ids, ...recipe.cloneFrom.displayNames].join(' or ')} to clone`,
    );
  }

  const featureNames = new Map(nsx.features.map((f) => [f.id, f.name || f.id]));
  const targets = new Map<string, NsxPermission>();
  const unmatchedRows: NsxFeatureRow[] = [];
  for (const row of recipe.lower) {
    const matched = matchFeatureRow(row, nsx.features);
    if (matched.length === 0) unmatchedRows.push(row);
    for (const f of matched) targets.set(f.id, row.permission);
  }

  const lowered: BuiltNsxRole['lowered'] = [];
  const features = source.features
    .filter((fp) => !fp.internal)
    .map((fp) => {
      const target = targets.get(fp.feature);
      if (target === undefined)
        return { feature: fp.feature, permission: fp.permission, internal: false };
      const permission = lowerOf(fp.permission, target);
      if (permission !== fp.permission) {
        lowered.push({
          feature: fp.feature,
          featureName: featureNames.get(fp.feature) ?? fp.feature,
          from: fp.permission,
          to: permission,
        });
      }
      return { feature: fp.feature, permission, internal: false };
    });

  return {
    recipe: recipeName,
    role: {
      id: recipe.id,
      displayName: recipe.displayName,
      ...(recipe.description !== undefined ? { description: recipe.description } : {}),
      features,
    },
    clonedFrom: source,
    lowered,
    unmatchedRows,
  };
}

/** Features where the role would hold more than cloudadmin: such a role must not be sent. */
export function excessOverCloudadmin(
  role: DesiredNsxRole,
  nsx: NsxData,
  baseline: ResolvedNsxBaseline,
): PermissionExcess[] {
  const featureNames = new Map(nsx.features.map((f) => [f.id, f.name || f.id]));
  return excessOver(role.features, baseline.limits, featureNames);
}

export interface NsxRoleChange {
  action: 'create' | 'update' | 'none';
  roleId: string;
  displayName?: { from: string; to: string };
  description?: { from: string; to: string };
  features: { feature: string; featureName: string; from: NsxPermission; to: NsxPermission }[];
}

/** What a PUT would change on the manager; `none` when the role is already as desired. */
export function diffNsxRole(
  existing: NsxRole | undefined,
  desired: DesiredNsxRole,
  featureNames: ReadonlyMap<string, string>,
): NsxRoleChange {
  const have = new Map<string, NsxPermission>(
    (existing?.features ?? []).filter((f) => !f.internal).map((f) => [f.feature, f.permission]),
  );
  const features = desired.features
    .filter((f) => (have.get(f.feature) ?? 'none') !== f.permission)
    .map((f) => ({
      feature: f.feature,
      featureName: featureNames.get(f.feature) ?? f.feature,
      from: have.get(f.feature) ?? 'none',
      to: f.permission,
    }));
  const change: NsxRoleChange = {
    action: existing ? 'update' : 'create',
    roleId: desired.id,
    features,
  };
  if (existing && existing.displayName !== desired.displayName) {
    change.displayName = { from: existing.displayName, to: desired.displayName };
  }
  const wantDescription = desired.description ?? '';
  if (existing && (existing.description ?? '') !== wantDescription) {
    change.description = { from: existing.description ?? '', to: wantDescription };
  }
  if (existing && features.length === 0 && !change.displayName && !change.description) {
    change.action = 'none';
  }
  return change;
}

/** The RoleWithFeatures body for PUT /policy/api/v1/aaa/roles/{role}. */
export function roleWithFeaturesBody(
  desired: DesiredNsxRole,
  existing: NsxRole | undefined,
): Record<string, unknown> {
  return {
    resource_type: 'RoleWithFeatures',
    id: desired.id,
    role: desired.id,
    display_name: desired.displayName,
    ...(desired.description !== undefined ? { description: desired.description } : {}),
    ...(existing?.revision !== undefined ? { _revision: existing.revision } : {}),
    features: desired.features.map((f) => ({ feature: f.feature, permission: f.permission })),
  };
}

/** Human-readable plan lines. */
export function describeNsxRoleChange(change: NsxRoleChange, built: BuiltNsxRole): string[] {
  if (change.action === 'none') {
    return [`NSX role ${change.roleId} is up to date: nothing to change.`];
  }
  const lines: string[] = [];
  if (change.action === 'create') {
    lines.push(
      `+ create NSX role ${change.roleId} "${built.role.displayName}", cloned from ${built.clonedFrom.displayName} (${built.clonedFrom.id}), ${built.role.features.length} features`,
    );
    for (const l of built.lowered)
      lines.push(`    lowered ${l.featureName} (${l.feature}): ${l.from} -> ${l.to}`);
    return lines;
  }
  lines.push(`~ update NSX role ${change.roleId}`);
  if (change.displayName)
    lines.push(`    display name: "${change.displayName.from}" -> "${change.displayName.to}"`);
  if (change.description)
    lines.push(`    description: "${change.description.from}" -> "${change.description.to}"`);
  for (const f of change.features)
    lines.push(`    ${f.featureName} (${f.feature}): ${f.from} -> ${f.to}`);
  return lines;
}
