/**
 * Saved tenant plans (`tenant plan --out FILE`, `tenant apply --plan FILE`), as terraform
 * saves a plan: the exact changes per tenant, plus a fingerprint of what the plan was computed
 * from (the inventory's structure, every permission, every role). Apply recomputes the
 * fingerprint from a fresh collection and refuses when any part differs, so what is applied
 * is exactly what was reviewed, against the state it was reviewed in. Pure.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Snapshot } from '../model/snapshot';
import { principalKey, principalOf } from '../model/principal';
import { VERSION } from '../version';
import { changesFromPlan } from './changes';
import type { TenantPlan } from './tenant-plan';

export const SAVED_PLAN_FORMAT = 'drperm-tenant-plan';
export const SAVED_PLAN_FORMAT_VERSION = 1;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const FingerprintSchema = z
  .object({
    /** Every entity's id, type, name and parents (not where VMs run: a vMotion changes no plan). */
    inventory: Sha256,
    /** Every permission: entity, principal, group, role, propagate. */
    permissions: Sha256,
    /** Every role's id, name and privileges. */
    roles: Sha256,
  })
  .strict();
export type Fingerprint = z.infer<typeof FingerprintSchema>;

const PermissionStateSchema = z
  .object({ roleId: z.number().int(), roleName: z.string(), propagate: z.boolean() })
  .strict();

const ChangeSchema = z
  .object({
    entity: z
      .object({ ref: z.string().min(1), type: z.string().min(1), path: z.string() })
      .strict(),
    action: z.enum(['add', 'change', 'remove', 'restore']),
    desired: PermissionStateSchema.nullable(),
  })
  .strict();

export const SavedPlanSchema = z
  .object({
    format: z.literal(SAVED_PLAN_FORMAT),
    formatVersion: z.literal(SAVED_PLAN_FORMAT_VERSION),
    tool: z.object({ name: z.literal('drperm'), version: z.string() }).strict(),
    createdAt: z.iso.datetime(),
    vcenter: z.object({ url: z.string(), instanceUuid: z.string() }).strict(),
    prune: z.boolean(),
    fingerprint: FingerprintSchema,
    tenants: z.array(
      z
        .object({
          tenant: z.string().min(1),
          file: z.string().optional(),
          principal: z.string().min(1),
          group: z.boolean(),
          roleName: z.string(),
          changes: z.array(ChangeSchema),
        })
        .strict(),
    ),
  })
  .strict();
export type SavedPlan = z.infer<typeof SavedPlanSchema>;

type Read = Pick<Snapshot, 'entities' | 'permissions' | 'roles'>;

function digest(rows: unknown[][]): string {
  const h = createHash('sha256');
  for (const row of rows) h.update(JSON.stringify(row) + '\n');
  return h.digest('hex');
}

const byFirst = (a: unknown[], b: unknown[]) => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Independent of the order the server returned things in. */
export function fingerprint(read: Read): Fingerprint {
  return {
    inventory: digest(
      read.entities
        .map((e) => [
          e.ref,
          e.type,
          e.name,
          e.parent,
          e.resourcePool ?? null,
          e.parentVApp ?? null,
          e.parentFolder ?? null,
        ])
        .sort(byFirst),
    ),
    permissions: digest(
      read.permissions
        .map((p) => [p.entity, principalKey(principalOf(p)), p.roleId, p.propagate])
        .sort(byFirst),
    ),
    roles: digest(read.roles.map((r) => [r.id, r.name, [...r.privileges].sort()]).sort(byFirst)),
  };
}

/** The parts of the fingerprint that differ, by name ("permissions", ...). */
export function fingerprintChanges(saved: Fingerprint, now: Fingerprint): string[] {
  return (Object.keys(saved) as (keyof Fingerprint)[]).filter((k) => saved[k] !== now[k]);
}

export function savePlan(input: {
  plans: readonly TenantPlan[];
  read: Read;
  vcenter: { url: string; instanceUuid: string };
  prune: boolean;
  createdAt?: Date;
}): SavedPlan {
  return {
    format: SAVED_PLAN_FORMAT,
    formatVersion: SAVED_PLAN_FORMAT_VERSION,
    tool: { name: 'drperm', version: VERSION },
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    vcenter: input.vcenter,
    prune: input.prune,
    fingerprint: fingerprint(input.read),
    tenants: input.plans.map((p) => ({
      tenant: p.tenant,
      ...(p.file === undefined ? {} : { file: p.file }),
      principal: p.principal,
      group: p.group,
      roleName: p.roleName,
      changes: changesFromPlan(p),
    })),
  };
}

export function savedPlanText(plan: SavedPlan): string {
  return JSON.stringify(plan, null, 1) + '\n';
}

/** Why a saved plan cannot be applied to what was read now; empty when it can. */
export function staleReasons(plan: SavedPlan, now: { read: Read; instanceUuid: string }): string[] {
  if (plan.vcenter.instanceUuid !== now.instanceUuid) {
    return [
      `the plan was made on another vCenter (${plan.vcenter.url}, instance ${plan.vcenter.instanceUuid}); this one is instance ${now.instanceUuid}`,
    ];
  }
  const WHAT: Record<keyof Fingerprint, string> = {
    inventory: 'the inventory (objects added, removed, renamed or moved)',
    permissions: 'the permissions',
    roles: 'the roles',
  };
  return fingerprintChanges(plan.fingerprint, fingerprint(now.read)).map(
    (k) => `${WHAT[k as keyof Fingerprint]} changed since the plan was made`,
  );
}
