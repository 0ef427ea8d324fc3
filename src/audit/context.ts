/**
 * What every finding rule reads: the access model, each tenant's resolved access, who owns
 * which VM, and the privilege sets the tenant roles are measured against. Built once per
 * audit so the rules stay small pure functions over shared data.
 */
import type { MembershipIndex } from '../directory/expand';
import { IMPLICIT_PRIVILEGES } from '../model/privileges';
import type { ResolvedTenant } from '../policy/tenant-resolve';
import type { AccessModel } from './effective-access';
import { reaches, resolveAccess, type ResolvedAccess } from './effective-access';
import {
  membershipIndex,
  resolvePrincipals,
  type MembershipInput,
  type Principals,
} from './principals';
import type { Finding, RuleId } from './types';
import { RULES } from './types';

export interface TenantAccess {
  tenant: ResolvedTenant;
  /** Tenant name (policy.tenant). */
  name: string;
  principals: Principals;
  /** Every entity where a path is decided for the account (grants and No Access). */
  access: ReadonlyMap<string, ResolvedAccess>;
  /** Entities the account reaches (beyond System.Anonymous), inventory order. */
  reached: readonly ResolvedAccess[];
  /** Privileges the tenant's mode allows on any object; undefined when unknown (no role policy, no live role). */
  allowed?: ReadonlySet<string>;
}

export interface AuditContext {
  model: AccessModel;
  tenants: readonly TenantAccess[];
  /** VM or management server ref -> tenants whose policy owns it. */
  owners: ReadonlyMap<string, readonly string[]>;
  /** Group membership from every source (empty when none was given). */
  membership: MembershipIndex;
  /** Name of the role the role policy describes (e.g. Azure_Site_Recovery). */
  rolePolicyName?: string;
  /** The role policy's privileges, expanded against the server's catalogue. */
  rolePrivileges?: ReadonlySet<string>;
  /** AVS CloudAdmin's privileges, when an AVS comparison applies. */
  cloudAdminPrivileges?: ReadonlySet<string>;
}

export type AuditRule = (ctx: AuditContext) => Finding[];

export interface ContextInput {
  model: AccessModel;
  tenants: readonly ResolvedTenant[];
  membership?: MembershipInput;
  rolePolicyName?: string;
  rolePrivileges?: readonly string[];
  cloudAdminPrivileges?: readonly string[];
}

export function buildAuditContext(input: ContextInput): { ctx: AuditContext; warnings: string[] } {
  const { model } = input;
  const warnings: string[] = [];
  const rolePrivileges = input.rolePrivileges ? new Set(input.rolePrivileges) : undefined;
  const owners = new Map<string, string[]>();
  for (const t of input.tenants) {
    for (const vm of t.ownedVms) {
      const list = owners.get(vm.ref) ?? [];
      if (!list.includes(t.policy.tenant)) list.push(t.policy.tenant);
      owners.set(vm.ref, list);
    }
  }
  const membership = membershipIndex(input.membership);
  for (const w of membership.data.warnings) warnings.push(`membership: ${w}`);
  for (const cycle of membership.cycles()) {
    warnings.push(
      `membership cycle: ${[...cycle, cycle[0]].join(' -> ')} (each group counted once)`,
    );
  }
  const tenants = input.tenants.map((tenant): TenantAccess => {
    const principals = resolvePrincipals(tenant.principal, { group: tenant.group, membership });
    if (principals.truncated !== undefined) {
      warnings.push(`tenant ${tenant.policy.tenant}: ${principals.truncated}`);
    }
    const access = resolveAccess(model, principals);
    const reached = [...access.values()].filter(reaches);
    const allowed = allowedPrivileges(model, tenant, input.rolePolicyName, rolePrivileges);
    if (!allowed) {
      warnings.push(
        `tenant ${tenant.policy.tenant}: role ${tenant.roleName} is neither on the server nor described by the role policy; excess privileges were not checked`,
      );
    }
    return {
      tenant,
      name: tenant.policy.tenant,
      principals,
      access,
      reached,
      ...(allowed ? { allowed } : {}),
    };
  });
  return {
    ctx: {
      model,
      tenants,
      owners,
      membership,
      ...(input.rolePolicyName ? { rolePolicyName: input.rolePolicyName } : {}),
      ...(rolePrivileges ? { rolePrivileges } : {}),
      ...(input.cloudAdminPrivileges
        ? { cloudAdminPrivileges: new Set(input.cloudAdminPrivileges) }
        : {}),
    },
    warnings,
  };
}

/**
 * What the tenant's mode allows: Read-only's privileges for failover-only; for failback the
 * role policy's privileges (what the role should be) when it describes the tenant's role,
 * else the live role's.
 */
function allowedPrivileges(
  model: AccessModel,
  tenant: ResolvedTenant,
  rolePolicyName: string | undefined,
  rolePrivileges: ReadonlySet<string> | undefined,
): ReadonlySet<string> | undefined {
  if (tenant.policy.mode === 'failover-only') return IMPLICIT_PRIVILEGES;
  let base: Iterable<string> | undefined;
  if (rolePrivileges && (rolePolicyName === undefined || rolePolicyName === tenant.roleName)) {
    base = rolePrivileges;
  } else {
    base = liveRole(model, tenant.roleName)?.privileges ?? rolePrivileges;
  }
  if (!base) return undefined;
  return new Set([...IMPLICIT_PRIVILEGES, ...base]);
}

export function liveRole(model: AccessModel, name: string) {
  return model.snapshot.roles.find((r) => r.name === name);
}

/** A finding with the severity its rule defines. */
export function finding(rule: RuleId, fields: Omit<Finding, 'rule' | 'severity'>): Finding {
  return { rule, severity: RULES[rule], ...fields };
}

/** Privileges in `have` that `allowed` lacks, sorted. */
export function beyond(have: Iterable<string>, allowed: ReadonlySet<string>): string[] {
  return [...have].filter((p) => !allowed.has(p)).sort();
}
