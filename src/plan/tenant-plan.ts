/**
 * The tenant plan: for each object a tenant policy names, whether the tenant account's
 * permission must be added, changed, or is already in place; the account's other
 * permissions (risks, removed only with --prune); and the refusals that stop any
 * change. Pure: data in, data out, shared by plan, apply, verify and drift.
 *
 * Only the tenant's own account is ever considered. Permissions of other principals
 * are not part of a plan, so nothing downstream can change them.
 */
import { grantState } from '../model/grant';
import type { Inventory } from '../model/inventory';
import { principalKey, principalOf } from '../model/principal';
import type { Entity, Permission, Role } from '../model/snapshot';
import { findTenantConflicts, type GrantKind, type ResolvedTenant } from '../policy/tenant-resolve';
import { nearest } from '../util/suggest';

/** What the server can tell about the tenant account (see src/plan/accounts.ts). */
export type AccountStatus =
  | { status: 'exists' }
  | { status: 'missing' }
  /** The server cannot answer (e.g. the simulator, or a directory that refuses the search). */
  | { status: 'unverified'; reason: string };

export interface PermissionState {
  roleId: number;
  roleName: string;
  propagate: boolean;
}

export type ObjectAction = 'add' | 'change' | 'in-place';

export interface PlannedObject {
  entity: Entity;
  kind: GrantKind;
  /** Policy field that named the object, e.g. `objects.hosts[0]`. */
  source: string;
  action: ObjectAction;
  desired: PermissionState;
  /** The account's own permission on the object now (absent: none). */
  current?: PermissionState;
}

/** A permission of the tenant account on an object the policy does not name. */
export interface PlannedRisk {
  entity: Entity;
  current: PermissionState;
  reason: string;
  /** remove with --prune; otherwise kept and reported. */
  action: 'remove' | 'keep';
}

export interface TenantPlan {
  tenant: string;
  file?: string;
  mode: ResolvedTenant['policy']['mode'];
  principal: string;
  group: boolean;
  roleName: string;
  objects: PlannedObject[];
  risks: PlannedRisk[];
  notes: string[];
  summary: { add: number; change: number; inPlace: number; remove: number; keep: number };
}

export type RefusalKind =
  'vm-claimed-twice' | 'shared-account' | 'bad-path' | 'role-missing' | 'account-missing';

export interface PlanRefusal {
  kind: RefusalKind;
  tenants: string[];
  message: string;
  hint?: string;
  /** `file` and `field` when the refusal points into a tenant file. */
  file?: string;
  field?: string;
}

export interface PlanInput {
  /** Every tenant given: conflicts are checked across all of them. */
  tenants: readonly ResolvedTenant[];
  inventory: Inventory;
  /** All permissions on the server (from the collected snapshot). */
  permissions: readonly Permission[];
  roles: readonly Role[];
  /** Keyed by principalKey; a tenant absent from the map is treated as unverified. */
  accounts: ReadonlyMap<string, AccountStatus>;
  prune: boolean;
}

export interface PlanResult {
  plans: TenantPlan[];
  refusals: PlanRefusal[];
  /** Things the operator should know that do not stop the plan (e.g. an account that could not be checked). */
  warnings: string[];
}

export function isAccountPermission(p: Permission, principal: string, group: boolean): boolean {
  return principalKey(principalOf(p)) === principalKey({ name: principal, group });
}

export function roleNameOf(roles: readonly Role[], roleId: number): string {
  return roles.find((r) => r.id === roleId)?.name ?? `role ${roleId}`;
}

export function planTenants(input: PlanInput): PlanResult {
  const refusals: PlanRefusal[] = [];
  const warnings: string[] = [];

  for (const c of findTenantConflicts(input.tenants)) {
    refusals.push({
      kind: c.kind,
      tenants: c.tenants,
      message: c.message,
      hint:
        c.kind === 'vm-claimed-twice'
          ? 'narrow the vms selectors (folders, names, paths) so that each VM belongs to one tenant'
          : 'create one vCenter account per tenant configuration server',
    });
  }

  for (const t of input.tenants) {
    for (const p of t.problems) {
      refusals.push({
        kind: 'bad-path',
        tenants: [t.policy.tenant],
        message: `${t.file ?? t.policy.tenant} ${p.field}: ${p.message}`,
        ...(t.file === undefined ? {} : { file: t.file }),
        field: p.field,
      });
    }
    refusals.push(...accountRefusals(t, input.accounts, warnings));
  }
  refusals.push(...roleRefusals(input.tenants, input.roles));

  const plans = input.tenants.map((t) => planTenant(t, input));
  return { plans, refusals, warnings };
}

function accountRefusals(
  t: ResolvedTenant,
  accounts: ReadonlyMap<string, AccountStatus>,
  warnings: string[],
): PlanRefusal[] {
  const status = accounts.get(principalKey({ name: t.principal, group: t.group }));
  if (status?.status === 'missing') {
    return [
      {
        kind: 'account-missing',
        tenants: [t.policy.tenant],
        message: `${t.group ? 'group' : 'user'} ${t.principal} (tenant ${t.policy.tenant}) does not exist on the server`,
        hint: 'create the account in vCenter Single Sign-On (or the identity source) first, or fix account.principal / account.group',
        ...(t.file === undefined ? {} : { file: t.file }),
        field: 'account.principal',
      },
    ];
  }
  if (status?.status !== 'exists') {
    const reason = status?.status === 'unverified' ? status.reason : 'not checked';
    warnings.push(
      `could not check that ${t.principal} (tenant ${t.policy.tenant}) exists: ${reason}; a real vCenter refuses an unknown account with UserNotFound before changing anything`,
    );
  }
  return [];
}

function roleRefusals(tenants: readonly ResolvedTenant[], roles: readonly Role[]): PlanRefusal[] {
  const needed = new Map<string, string[]>();
  for (const t of tenants) {
    for (const g of t.grants) {
      const users = needed.get(g.roleName) ?? [];
      if (!users.includes(t.policy.tenant)) users.push(t.policy.tenant);
      needed.set(g.roleName, users);
    }
  }
  const out: PlanRefusal[] = [];
  for (const [name, users] of needed) {
    if (roles.some((r) => r.name === name)) continue;
    const near = nearest(
      name,
      roles.map((r) => r.name),
      3,
    );
    out.push({
      kind: 'role-missing',
      tenants: users,
      message: `role "${name}" does not exist on the server (needed by ${users.join(', ')})${near.length > 0 ? `; nearest: ${near.join(', ')}` : ''}`,
      hint: `create it first: ${roleApplyCommand(name)}`,
    });
  }
  return out;
}

/** The command that creates a missing role: the AVS variant has its own flag. */
function roleApplyCommand(name: string): string {
  return /_AVS$/i.test(name)
    ? `drperm role apply --avs (creates ${name}, the AVS-assignable variant)`
    : 'drperm role apply';
}

function planTenant(t: ResolvedTenant, input: PlanInput): TenantPlan {
  const own = input.permissions.filter((p) => isAccountPermission(p, t.principal, t.group));
  const ownByEntity = new Map(own.map((p) => [p.entity, p]));
  const privilegeSets = new Map(input.roles.map((r) => [r.id, new Set(r.privileges)] as const));
  const privilegesOf = (roleId: number): ReadonlySet<string> =>
    privilegeSets.get(roleId) ?? new Set<string>();
  const state = (p: Permission): PermissionState => ({
    roleId: p.roleId,
    roleName: roleNameOf(input.roles, p.roleId),
    propagate: p.propagate,
  });

  const objects: PlannedObject[] = t.grants.map((g) => {
    const role = input.roles.find((r) => r.name === g.roleName);
    // A missing role is a refusal, so the NaN placeholder never reaches the server.
    const desired: PermissionState = {
      roleId: role?.id ?? Number.NaN,
      roleName: g.roleName,
      propagate: false,
    };
    const existing = ownByEntity.get(g.entity.ref);
    const current = existing ? state(existing) : undefined;
    // grantState is the audit's answer too (missing-grant): a superset role is in place.
    const grant = grantState(existing, role?.privileges ?? [], privilegesOf);
    const action: ObjectAction = grant.inPlace ? 'in-place' : current ? 'change' : 'add';
    return {
      entity: g.entity,
      kind: g.kind,
      source: g.source,
      action,
      desired,
      ...(current ? { current } : {}),
    };
  });

  const named = new Set(t.grants.map((g) => g.entity.ref));
  const risks: PlannedRisk[] = own
    .filter((p) => !named.has(p.entity))
    .map((p) => {
      const entity = input.inventory.get(p.entity) ?? unknownEntity(p.entity);
      return {
        entity,
        current: state(p),
        reason: riskReason(p, entity, t, input.inventory),
        // An object the inventory does not know has no type to address it by: never removed blindly.
        action: input.prune && entity.type !== 'unknown' ? 'remove' : 'keep',
      };
    });

  const count = (a: ObjectAction) => objects.filter((o) => o.action === a).length;
  return {
    tenant: t.policy.tenant,
    ...(t.file === undefined ? {} : { file: t.file }),
    mode: t.policy.mode,
    principal: t.principal,
    group: t.group,
    roleName: t.roleName,
    objects,
    risks,
    notes: [...t.notes],
    summary: {
      add: count('add'),
      change: count('change'),
      inPlace: count('in-place'),
      remove: risks.filter((r) => r.action === 'remove').length,
      keep: risks.filter((r) => r.action === 'keep').length,
    },
  };
}

/** A permission the collector could not place (entity unknown to the inventory). */
function unknownEntity(ref: string): Entity {
  return { ref, type: 'unknown', name: ref, parent: null, path: `(unknown object ${ref})` };
}

/** Why an unnamed permission matters: a propagating one reaches objects of other tenants. */
function riskReason(
  p: Permission,
  entity: Entity,
  t: ResolvedTenant,
  inventory: Inventory,
): string {
  if (!p.propagate) return 'not named by the policy';
  const owned = new Set(t.ownedVms.map((v) => v.ref));
  const foreign = inventory
    .inheritingDescendants(entity.ref)
    .filter((e) => e.type === 'VirtualMachine' && !owned.has(e.ref));
  if (foreign.length === 0)
    return 'not named by the policy, and it propagates to every child object (grants are made without propagation)';
  const sample = foreign
    .slice(0, 3)
    .map((v) => v.name)
    .join(', ');
  return `not named by the policy, and it propagates to ${foreign.length} VM(s) this tenant does not own (${sample}${foreign.length > 3 ? ', ...' : ''}): breaks tenant isolation`;
}

/** True when the plan changes anything on the server. */
export function hasChanges(plan: TenantPlan): boolean {
  return plan.summary.add + plan.summary.change + plan.summary.remove > 0;
}
