/**
 * drperm's effective-access engine (src/audit/effective-access.ts) against vCenter's own
 * answer on random inventories: the lab resolves FetchUserPrivilegeOnEntities from the
 * documented rules, written independently in Go (test/sim/authz.go). Each seed builds a lab
 * with random nested folders and pools, VMs in them and users in nested groups; each round
 * sets random permissions (users and groups, Admin, Read-only, No Access and custom roles,
 * propagating or not, on every kind of object that can carry one) and compares every
 * entity for every user. Any disagreement is printed with everything needed to reproduce it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AccessModel, resolveAccess } from '../../../src/audit/effective-access';
import { resolvePrincipals } from '../../../src/audit/principals';
import { startLab, type RunningLab } from '../../lab/launch';
import { Inventory } from '../../../src/model/inventory';
import { principalName } from '../../../src/model/principal';
import type { Entity, Snapshot } from '../../../src/model/snapshot';
import { confirmWithServer } from '../../../src/ops/confirm';
import { ignoreEvents } from '../../../src/ops/events';
import type { Membership } from '../../../src/policy/schemas';
import type { ResolvedTenant } from '../../../src/policy/tenant-resolve';
import { silentLogger } from '../../../src/util/log';
import type { VimClient } from '../../../src/vsphere/client';
import { collectSnapshot } from '../../../src/vsphere/collect';
import { fetchUserPrivilegeOnEntities } from '../../../src/vsphere/user-privileges';
import { connectLab } from '../../helpers/lab';

// DRPERM_RANDOM_SEEDS=1-40 sweeps more seeds (a longer run, for hunting disagreements).
const SEEDS = seedsFrom(process.env.DRPERM_RANDOM_SEEDS) ?? [11, 23, 37];
function seedsFrom(spec: string | undefined): number[] | undefined {
  const m = spec ? /^(\d+)-(\d+)$/.exec(spec) : null;
  if (!m) return undefined;
  const [from, to] = [Number(m[1]), Number(m[2])];
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
const ROUNDS = 4;
const DOMAIN = 'VSPHERE.LOCAL';
const USERS = ['u1', 'u2', 'u3', 'u4', 'u5'].map((u) => `${DOMAIN}\\${u}`);
const GROUPS = ['g1', 'g2', 'g3', 'g4'].map((g) => `${DOMAIN}\\${g}`);
const CUSTOM_ROLES = [
  { name: 'Power operator', privileges: ['VirtualMachine.Interact.PowerOn'] },
  {
    name: 'Storage browser',
    privileges: ['Datastore.Browse', 'VirtualMachine.State.CreateSnapshot'],
  },
];
const ROLE_NAMES = ['Admin', 'ReadOnly', 'NoAccess', ...CUSTOM_ROLES.map((r) => r.name)];

/** mulberry32: small, seeded, good enough to pick objects. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World {
  scenario: Record<string, unknown>;
  membership: Membership;
}

function randomWorld(seed: number): World {
  const r = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
  const folders = ['/DC0/vm/f0'];
  const pools = ['/DC0/host/C0/Resources/p0'];
  for (let i = 1; i < 5; i++) {
    folders.push(`${pick(['/DC0/vm', ...folders])}/f${i}`);
    pools.push(`${pick(['/DC0/host/C0/Resources', ...pools])}/p${i}`);
  }
  const vms = Array.from({ length: 9 }, (_, i) => ({
    path: `${pick(['/DC0/vm', ...folders])}/vm${i}`,
    pool: pick(['/DC0/host/C0/Resources', ...pools]),
    noDisk: true,
  }));
  // Groups nest only upwards (g1 in g2, ...), so membership has no cycle.
  const groupOf = new Map<string, string[]>();
  GROUPS.forEach((g, i) => {
    const parents = GROUPS.slice(i + 1).filter(() => r() < 0.35);
    groupOf.set(g, parents);
  });
  const users = USERS.map((u) => ({
    name: u,
    password: `Pw&<${u.slice(-2)}>1`,
    groups: GROUPS.filter(() => r() < 0.4),
  }));
  const membership: Membership = {};
  const add = (group: string, member: string) => (membership[group] ??= []).push(member);
  for (const u of users) for (const g of u.groups) add(g, u.name);
  for (const [g, parents] of groupOf) for (const p of parents) add(p, g);
  return {
    scenario: {
      datacenters: [
        {
          name: 'DC0',
          clusters: [{ name: 'C0', hosts: 2 }],
          standaloneHosts: ['H0'],
          datastores: ['DS0', 'DS1'],
          datastoreClusters: [{ name: 'SP0', datastores: ['DS1'] }],
          switches: [{ name: 'DVS0', portgroups: ['PG0'] }],
        },
      ],
      folders,
      resourcePools: pools,
      vms,
      roles: CUSTOM_ROLES,
      users,
      groups: GROUPS.map((g) => ({ name: g, groups: groupOf.get(g) })),
    },
    membership,
  };
}

interface RandomPermission {
  entity: Entity;
  principal: string;
  group: boolean;
  role: string;
  propagate: boolean;
}

/** Random permissions on objects that can carry one, at most one per principal and object. */
function randomPermissions(seed: number, inventory: Inventory): RandomPermission[] {
  const r = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
  const carriers = inventory.entities.filter((e) => !inventory.isForcedInheritance(e));
  const out = new Map<string, RandomPermission>();
  const count = 8 + Math.floor(r() * 14);
  for (let i = 0; i < count; i++) {
    // Weighted to the tree's upper levels now and then, so propagation and overrides meet.
    const entity = r() < 0.2 ? inventory.root : pick(carriers);
    const group = r() < 0.45;
    const name = group ? pick(GROUPS) : pick(USERS);
    // vCenter compares names without regard to case and accepts name@domain too.
    const spelling = r();
    const principal =
      spelling < 0.15
        ? name.toLowerCase()
        : spelling < 0.3
          ? `${name.split('\\')[1]}@${DOMAIN.toLowerCase()}`
          : name;
    // Admin rarely, or most runs would be decided by it alone.
    const role = r() < 0.1 ? 'Admin' : pick(ROLE_NAMES.slice(1));
    out.set(`${entity.ref}|${group}|${name}`, {
      entity,
      principal,
      group,
      role,
      propagate: r() < 0.6,
    });
  }
  return [...out.values()];
}

async function clearTestPermissions(client: VimClient): Promise<void> {
  const ours = new Set([...USERS, ...GROUPS].map((n) => principalName(n)));
  for (const p of await client.retrieveAllPermissions()) {
    if (ours.has(principalName(p.principal)) && p.entity) {
      await client.removeEntityPermission(p.entity, p.principal, p.group);
    }
  }
}

const fresh = (client: VimClient): Promise<Snapshot> =>
  collectSnapshot(client, { log: silentLogger });

describe('effective access: drperm against vCenter (the lab) on random inventories', () => {
  for (const seed of SEEDS) {
    describe(`seed ${seed}`, () => {
      let lab: RunningLab;
      let client: VimClient;
      let world: World;

      beforeAll(async () => {
        world = randomWorld(seed);
        const file = join(mkdtempSync(join(tmpdir(), 'drperm-random-')), `random-${seed}.yaml`);
        writeFileSync(file, stringify(world.scenario));
        lab = await startLab({ scenario: file });
        client = await connectLab(lab);
      }, 120000);

      afterAll(async () => {
        await client?.logout();
        await lab?.stop();
      });

      it(`agrees on every entity for every user over ${ROUNDS} rounds of random permissions`, async () => {
        const roles = new Map((await client.roleList()).map((x) => [x.name, x.roleId]));
        const disagreements: string[] = [];
        let compared = 0;
        /** Answers with some privilege, and with none: both must occur, or the comparison proves little. */
        const seen = { granted: 0, none: 0, viaGroupOnly: 0 };
        for (let round = 0; round < ROUNDS; round++) {
          await clearTestPermissions(client);
          const base = new Inventory(
            (await fresh(client)).entities,
            client.serviceContent.rootFolder.value,
          );
          const planted = randomPermissions(seed * 100 + round, base);
          for (const p of planted) {
            await client.setEntityPermissions({ type: p.entity.type, value: p.entity.ref }, [
              {
                principal: p.principal,
                group: p.group,
                roleId: roles.get(p.role)!,
                propagate: p.propagate,
              },
            ]);
          }
          const snapshot = await fresh(client);
          const model = new AccessModel(snapshot);
          const refs = snapshot.entities.map((e) => ({ type: e.type, value: e.ref }));
          for (const user of USERS) {
            const principals = resolvePrincipals(user, { membership: world.membership });
            const ours = resolveAccess(model, principals);
            const server = await fetchUserPrivilegeOnEntities(client, refs, user);
            expect(server).toHaveLength(refs.length);
            for (const answer of server) {
              compared++;
              if (answer.privileges.length > 0) seen.granted++;
              else seen.none++;
              const decided = ours.get(answer.entity.value);
              if (decided?.decisions.some((d) => d.permissions.every((p) => p.group)))
                seen.viaGroupOnly++;
              const a = [...answer.privileges].sort().join(',');
              const b = [...(ours.get(answer.entity.value)?.privileges ?? [])].join(',');
              if (a !== b) {
                disagreements.push(
                  `seed ${seed} round ${round} ${user} on ${model.entityRef(answer.entity.value).path}: vCenter [${a}] drperm [${b}]; permissions: ${planted
                    .map(
                      (p) =>
                        `${p.entity.path} ${p.group ? 'group' : 'user'} ${p.principal} ${p.role} ${p.propagate ? 'propagating' : 'here only'}`,
                    )
                    .join('; ')}`,
                );
              }
            }
          }
          // The command's path agrees too: batches, HasUserPrivilegeOnEntities, follow-ups.
          const tenants = USERS.map(
            (u) =>
              ({
                policy: { tenant: u },
                principal: u,
                group: false,
                grants: [],
                ownedVms: [],
              }) as unknown as ResolvedTenant,
          );
          const run = await confirmWithServer(client, snapshot, tenants, {
            emit: ignoreEvents,
            membership: world.membership,
            batchSize: 7,
            concurrency: 3,
            model,
          });
          expect(run.confirmation.totals.entitiesAsked).toBe(USERS.length * refs.length);
          if (run.confirmation.totals.differs > 0) {
            disagreements.push(
              ...run.findings.map((f) => `confirm: ${f.message} ${f.details?.join(' | ')}`),
            );
          }
        }
        expect(compared).toBe(ROUNDS * USERS.length * (await fresh(client)).entities.length);
        expect(disagreements).toEqual([]);
        expect(seen.granted).toBeGreaterThan(0);
        expect(seen.none).toBeGreaterThan(0);
        expect(seen.viaGroupOnly).toBeGreaterThan(0);
      }, 180000);
    });
  }
});
