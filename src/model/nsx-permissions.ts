/** Ordering of NSX permissions: none < read < execute < crud (the UI's None, Read, Execute, Full access). */
import { NSX_PERMISSIONS, type NsxPermission } from './nsx';

export function permissionRank(p: NsxPermission): number {
  return NSX_PERMISSIONS.indexOf(p);
}

/** True when `a` grants more than `b`. */
export function permissionAbove(a: NsxPermission, b: NsxPermission): boolean {
  return permissionRank(a) > permissionRank(b);
}

export function lowerOf(a: NsxPermission, b: NsxPermission): NsxPermission {
  return permissionAbove(a, b) ? b : a;
}

export interface PermissionExcess {
  feature: string;
  featureName: string;
  held: NsxPermission;
  limit: NsxPermission;
}

/**
 * Features where a matrix holds more than the limits allow. Internal features are skipped
 * (NSX ignores them on PUT); a feature missing from the limits is limited to none.
 */
export function excessOver(
  matrix: readonly { feature: string; permission: NsxPermission; internal?: boolean }[],
  limits: ReadonlyMap<string, NsxPermission>,
  featureNames: ReadonlyMap<string, string> = new Map(),
): PermissionExcess[] {
  const out: PermissionExcess[] = [];
  for (const fp of matrix) {
    if (fp.internal) continue;
    const limit = limits.get(fp.feature) ?? 'none';
    if (permissionAbove(fp.permission, limit)) {
      out.push({
        feature: fp.feature,
        featureName: featureNames.get(fp.feature) ?? fp.feature,
        held: fp.permission,
        limit,
      });
    }
  }
  return out;
}
