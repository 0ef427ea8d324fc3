/**
 * NSX Manager RBAC data as drperm stores it: the feature catalogue, every role with its
 * feature matrix, and every role binding. Collected by `drperm nsx collect`, read by the
 * NSX audit. Field names are drperm's (camelCase); each says which NSX field it comes from.
 */
import { z } from 'zod';
import type { Severity } from './severity';

/** NSX permission levels, weakest first: the order "at least" and "above" comparisons use. */
export const NSX_PERMISSIONS = ['none', 'read', 'execute', 'crud'] as const;
export const NsxPermissionSchema = z.enum(NSX_PERMISSIONS);
export type NsxPermission = z.infer<typeof NsxPermissionSchema>;

export const NsxFeatureSchema = z.object({
  /** `feature`, e.g. `policy_t1`. */
  id: z.string().min(1),
  /** `feature_name`, e.g. "Tier-1 Gateways" (empty when the server gives none). */
  name: z.string(),
  description: z.string().optional(),
  /** `is_internal`: NSX ignores permissions of internal features on PUT, so audits skip them. */
  internal: z.boolean(),
});
export type NsxFeature = z.infer<typeof NsxFeatureSchema>;

export const NsxFeaturePermissionSchema = z.object({
  feature: z.string().min(1),
  permission: NsxPermissionSchema,
  internal: z.boolean().default(false),
});
export type NsxFeaturePermission = z.infer<typeof NsxFeaturePermissionSchema>;

export const NsxRoleSchema = z.object({
  /** `role` (also `id`), e.g. `lb_admin`. */
  id: z.string().min(1),
  /** `display_name` / `role_display_name`, e.g. "LB Admin". */
  displayName: z.string(),
  description: z.string().optional(),
  /** `_system_owned`: true for predefined roles when the server says so. */
  systemOwned: z.boolean(),
  /** `_revision`, needed to update the role with PUT. */
  revision: z.number().int().optional(),
  /** The complete matrix as the server returns it, `none` and internal features included. */
  features: z.array(NsxFeaturePermissionSchema),
});
export type NsxRole = z.infer<typeof NsxRoleSchema>;

export const NsxRolesForPathSchema = z.object({
  /** NSX path the roles apply on; "/" means everywhere (NSX's null path is stored as "/"). */
  path: z.string().min(1),
  roles: z.array(z.string().min(1)),
});

export const NsxBindingSchema = z.object({
  id: z.string(),
  /** User or group name; NSX compares names case-insensitively. */
  name: z.string().min(1),
  /** `remote_user`, `remote_group`, `local_user` or `principal_identity`. */
  type: z.string().min(1),
  /** `identity_source_type`: LDAP, VIDM, OIDC (absent on older managers). */
  identitySourceType: z.string().optional(),
  identitySourceId: z.string().optional(),
  rolesForPaths: z.array(NsxRolesForPathSchema),
});
export type NsxBinding = z.infer<typeof NsxBindingSchema>;

export const NsxManagerSchema = z.object({
  /** Manager URL without credentials. */
  url: z.string(),
  /** The account that collected (never its password). */
  username: z.string(),
  /** `product_version` of /api/v1/node/version, when the account may read it. */
  version: z.string().optional(),
  /**
   * `collect --fleet`: the vCenter (fleet-file name) whose private cloud the manager serves,
   * so that an offline fleet audit gives it the same tenants as a live one.
   */
  vcenter: z.string().optional(),
});

export const NsxDataSchema = z.object({
  manager: NsxManagerSchema,
  collectedAt: z.iso.datetime(),
  features: z.array(NsxFeatureSchema),
  roles: z.array(NsxRoleSchema),
  bindings: z.array(NsxBindingSchema),
  /** Notes from collection an auditor should see. */
  warnings: z.array(z.string()),
});
export type NsxData = z.infer<typeof NsxDataSchema>;

/** One row of the auditor workbook's "NSX" sheet: one role of one binding on one path. */
export interface NsxWorkbookRow {
  /** Tenant whose policy names the principal; empty when no tenant does. */
  tenant: string;
  principal: string;
  /** remote_user, remote_group, local_user, principal_identity. */
  principalType: string;
  /** LDAP, VIDM, OIDC, or empty. */
  identitySource: string;
  path: string;
  roleId: string;
  roleName: string;
  /** cloudadmin, supported, unsupported, custom, predefined (neither listed by AVS), unknown. */
  roleKind: string;
  /** Rule ids of the findings this row is evidence for, comma-separated. */
  rules: string;
  /** Highest severity among those findings; empty when none. */
  severity: Severity | '';
}
