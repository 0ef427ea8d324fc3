/** Every finding rule, in report order. Each is a pure function of the audit context. */
import type { AuditRule } from '../context';
import { crossTenantAccess } from './cross-tenant-access';
import { excessPrivilege } from './excess-privilege';
import { groupGrantUnresolved } from './group-grant-unresolved';
import { missingGrant } from './missing-grant';
import { modeMismatch } from './mode-mismatch';
import { noAccessPattern } from './no-access-pattern';
import { propagatingGrant } from './propagating-grant';
import { roleDrift } from './role-drift';
import { roleExceedsCloudAdmin } from './role-exceeds-cloudadmin';
import { sharedPrincipal } from './shared-principal';
import { unownedVmAccess } from './unowned-vm-access';

export const AUDIT_RULES: readonly AuditRule[] = [
  crossTenantAccess,
  sharedPrincipal,
  unownedVmAccess,
  propagatingGrant,
  excessPrivilege,
  roleExceedsCloudAdmin,
  noAccessPattern,
  missingGrant,
  modeMismatch,
  roleDrift,
  groupGrantUnresolved,
];

export {
  crossTenantAccess,
  excessPrivilege,
  groupGrantUnresolved,
  missingGrant,
  modeMismatch,
  noAccessPattern,
  propagatingGrant,
  roleDrift,
  roleExceedsCloudAdmin,
  sharedPrincipal,
  unownedVmAccess,
};
