import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { principalKey } from '../../../src/model/principal';
import { planSummaryLine, pending, tenantPlanCounts } from '../../../src/plan/plan-summary';
import { fingerprint, savePlan, savedPlanText, staleReasons } from '../../../src/plan/saved-plan';
import { readSavedPlan, writeSavedPlan } from '../../../src/plan/saved-plan-file';
import { planTenants, type AccountStatus } from '../../../src/plan/tenant-plan';
import {
  ROLES,
  fabrikamPolicy,
  labEntities,
  labInventory,
  perm,
  policy,
  resolve,
} from './fixtures';

const CONTOSO = 'VSPHERE.LOCAL\\asr-contoso';
const FABRIKAM = 'VSPHERE.LOCAL\\asr-fabrikam';
const accounts = new Map<string, AccountStatus>(
  [CONTOSO, FABRIKAM].map((p) => [principalKey({ name: p, group: false }), { status: 'exists' }]),
);

function planned(
  permissions = [perm('vm-30', CONTOSO, 1001), perm('group-v20', CONTOSO, -2, true)],
) {
  const result = planTenants({
    tenants: [resolve(policy()), resolve(fabrikamPolicy())],
    inventory: labInventory(),
    permissions,
    roles: ROLES,
    accounts,
    prune: false,
  });
  const read = { entities: labEntities(), permissions, roles: ROLES };
  return { result, read };
}

const VC = { url: 'https://vc01/sdk', instanceUuid: 'uuid-1' };

describe('plan summary line', () => {
  it('sums every tenant: adds, changes, removals and risks kept', () => {
    const { result } = planned();
    const counts = tenantPlanCounts(result.plans);
    // contoso: 13 objects minus vm-30 in place; fabrikam: all 12 new; one propagating risk kept.
    expect(planSummaryLine(counts)).toBe(
      `Plan: ${counts.add} to add, 0 to change, 0 to remove, 1 risk kept`,
    );
    expect(counts.add).toBe(
      result.plans.reduce((n, p) => n + p.objects.filter((o) => o.action === 'add').length, 0),
    );
    expect(pending(counts)).toBe(true);
  });

  it('leaves risks out when none is kept, and says when nothing is pending', () => {
    expect(planSummaryLine({ add: 0, change: 1, remove: 2, kept: 0 })).toBe(
      'Plan: 0 to add, 1 to change, 2 to remove',
    );
    expect(planSummaryLine({ add: 0, change: 0, remove: 0, kept: 3 })).toBe(
      'Plan: 0 to add, 0 to change, 0 to remove, 3 risks kept',
    );
    expect(pending({ add: 0, change: 0, remove: 0, kept: 3 })).toBe(false);
  });
});

describe('fingerprint', () => {
  it('does not depend on the order the server returned things in', () => {
    const { read } = planned();
    const shuffled = {
      entities: [...read.entities].reverse(),
      permissions: [...read.permissions].reverse(),
      roles: [...read.roles]
        .reverse()
        .map((r) => ({ ...r, privileges: [...r.privileges].reverse() })),
    };
    expect(fingerprint(shuffled)).toEqual(fingerprint(read));
  });

  it('changes with a permission, a role privilege, a rename or a move; not with where a VM runs', () => {
    const { read } = planned();
    const base = fingerprint(read);
    const perms = fingerprint({
      ...read,
      permissions: [...read.permissions, perm('vm-31', 'X\\y', -2)],
    });
    expect(perms.permissions).not.toBe(base.permissions);
    expect(perms.inventory).toBe(base.inventory);
    const roles = fingerprint({
      ...read,
      roles: read.roles.map((r) =>
        r.id === 1001 ? { ...r, privileges: [...r.privileges, 'Host.Config.Power'] } : r,
      ),
    });
    expect(roles.roles).not.toBe(base.roles);
    const renamed = read.entities.map((e) => (e.ref === 'vm-31' ? { ...e, name: 'x' } : e));
    expect(fingerprint({ ...read, entities: renamed }).inventory).not.toBe(base.inventory);
    const moved = read.entities.map((e) => (e.ref === 'vm-31' ? { ...e, parent: 'group-v21' } : e));
    expect(fingerprint({ ...read, entities: moved }).inventory).not.toBe(base.inventory);
    const vmotion = read.entities.map((e) => (e.ref === 'vm-31' ? { ...e, host: 'host-2' } : e));
    expect(fingerprint({ ...read, entities: vmotion })).toEqual(base);
  });
});

describe('saved plans', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drperm-saved-plan-'));

  it('holds exactly the changes of the plan, per tenant, and reads back the same', async () => {
    const { result, read } = planned();
    const saved = savePlan({
      plans: result.plans,
      read,
      vcenter: VC,
      prune: false,
      createdAt: new Date(0),
    });
    const contoso = saved.tenants.find((t) => t.tenant === 'contoso')!;
    expect(contoso.changes.map((c) => c.entity.ref)).not.toContain('vm-30');
    expect(contoso.changes.every((c) => c.action === 'add' && c.desired?.propagate === false)).toBe(
      true,
    );
    const file = join(dir, 'plan.json');
    await writeSavedPlan(file, saved);
    expect(await readSavedPlan(file)).toEqual(saved);
  });

  it('is fresh against the same state, stale when anything it read changed', () => {
    const { result, read } = planned();
    const saved = savePlan({ plans: result.plans, read, vcenter: VC, prune: false });
    expect(staleReasons(saved, { read, instanceUuid: 'uuid-1' })).toEqual([]);
    const after = { ...read, permissions: [...read.permissions, perm('vm-40', CONTOSO, 1001)] };
    expect(staleReasons(saved, { read: after, instanceUuid: 'uuid-1' })).toEqual([
      'the permissions changed since the plan was made',
    ]);
    expect(staleReasons(saved, { read, instanceUuid: 'uuid-2' })[0]).toMatch(
      /^the plan was made on another vCenter \(https:\/\/vc01\/sdk, instance uuid-1\); this one is instance uuid-2$/,
    );
  });

  it('refuses a file that is not a plan, or a tampered one, naming the field', async () => {
    const { result, read } = planned();
    const saved = savePlan({ plans: result.plans, read, vcenter: VC, prune: false });
    const other = join(dir, 'snapshot.json');
    writeFileSync(other, JSON.stringify({ format: 'drperm-snapshot' }));
    await expect(readSavedPlan(other)).rejects.toThrow(`${other} is not a drperm plan`);
    const bad = JSON.parse(savedPlanText(saved));
    bad.tenants[0].changes[0].desired.roleId = 'x';
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(bad));
    await expect(readSavedPlan(file)).rejects.toThrow(
      /tenants\[0\]\.changes\[0\]\.desired\.roleId/,
    );
  });
});
