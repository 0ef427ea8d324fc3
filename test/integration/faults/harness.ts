/**
 * The fault-injection suite's set-up: a lab of either semantics (vCenter's contract, or
 * vcsim's own with --vcsim-semantics), the fault proxy in front of it, an administrator's
 * session straight to the lab (the "someone else"), and an independent read of every
 * object's permissions to check what drperm changed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type RunningLab } from '../../lab/launch';
import { silentLogger } from '../../../src/util/log';
import { VimClient } from '../../../src/vsphere/client';
import { collectSnapshot } from '../../../src/vsphere/collect';
import type { MoRef, VimPermission } from '../../../src/vsphere/types';
import { FaultProxy } from '../../helpers/fault-proxy';

export type Semantics = 'vcenter' | 'vcsim';

export interface Entity {
  ref: string;
  type: string;
  path: string;
}

export interface FaultLab {
  semantics: Semantics;
  lab: RunningLab;
  proxy: FaultProxy;
  /** Straight to the lab, never through the proxy. */
  admin: VimClient;
  entities: Entity[];
  byPath: Map<string, Entity>;
  /** A client through the proxy, pinned to its certificate. */
  connect(timeoutMs: number): Promise<VimClient>;
  /** Restarts the lab after it was killed (fresh state) and points the proxy at it. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFaultLab(semantics: Semantics, seed: number): Promise<FaultLab> {
  const launch = () => startLab({ scenario: 'lab', vcsimSemantics: semantics === 'vcsim' });
  let lab = await launch();
  const proxy = await FaultProxy.start({
    upstream: lab.url,
    upstreamCertFile: lab.certFile,
    seed,
  });
  let admin = await direct(lab);
  let entities = await inventory(admin);
  const fl: FaultLab = {
    semantics,
    lab,
    proxy,
    admin,
    entities,
    byPath: new Map(entities.map((e) => [e.path, e])),
    connect: (timeoutMs) =>
      VimClient.connect(
        {
          url: proxy.url,
          username: lab.username,
          password: lab.password,
          thumbprint: proxy.thumbprintSha256,
          timeoutMs,
        },
        silentLogger,
      ),
    restart: async () => {
      await fl.admin.logout();
      await lab.stop();
      lab = await launch();
      proxy.retarget(lab.url, lab.certFile);
      admin = await direct(lab);
      entities = await inventory(admin);
      Object.assign(fl, {
        lab,
        admin,
        entities,
        byPath: new Map(entities.map((e) => [e.path, e])),
      });
    },
    stop: async () => {
      await fl.admin.logout();
      await proxy.stop();
      await lab.stop();
    },
  };
  return fl;
}

function direct(lab: RunningLab): Promise<VimClient> {
  return VimClient.connect(
    {
      url: lab.url,
      username: lab.username,
      password: lab.password,
      thumbprint: lab.thumbprintSha256,
    },
    silentLogger,
  );
}

async function inventory(client: VimClient): Promise<Entity[]> {
  const snapshot = await collectSnapshot(client, { log: silentLogger });
  return snapshot.entities.map((e) => ({ ref: e.ref, type: e.type, path: e.path }));
}

/** `ref \t u:principal` → `roleId/propagate`, for every permission defined on every object. */
export type PermissionState = Map<string, string>;

const principalOf = (p: Pick<VimPermission, 'principal' | 'group'>) =>
  `${p.group ? 'g' : 'u'}:${p.principal.toLowerCase()}`;
export const stateKey = (ref: string, p: Pick<VimPermission, 'principal' | 'group'>) =>
  `${ref}\t${principalOf(p)}`;

export async function permissionState(fl: FaultLab): Promise<PermissionState> {
  const out: PermissionState = new Map();
  const lists = await Promise.all(
    fl.entities.map((e) =>
      fl.admin.retrieveEntityPermissions({ type: e.type, value: e.ref }, false),
    ),
  );
  fl.entities.forEach((e, i) => {
    for (const p of lists[i]!) {
      if (p.entity !== undefined && p.entity.value !== e.ref) continue;
      out.set(stateKey(e.ref, p), `${p.roleId}/${p.propagate}`);
    }
  });
  return out;
}

export interface StateDiff {
  key: string;
  before?: string;
  after?: string;
}

/** Differences between two states, leaving out the keys `ignore` accepts (the tenant accounts). */
export function diffStates(
  before: PermissionState,
  after: PermissionState,
  ignore: (key: string) => boolean = () => false,
): StateDiff[] {
  const out: StateDiff[] = [];
  for (const [key, b] of before) {
    if (ignore(key)) continue;
    const a = after.get(key);
    if (a !== b) out.push(a === undefined ? { key, before: b } : { key, before: b, after: a });
  }
  for (const [key, a] of after) {
    if (!ignore(key) && !before.has(key)) out.push({ key, after: a });
  }
  return out.sort((x, y) => x.key.localeCompare(y.key));
}

/**
 * Another administrator's change through their own session. On a server that replaces the
 * list they read and merge first, as anyone must there; `perm` undefined removes.
 */
export async function adminChange(
  fl: FaultLab,
  entity: Entity,
  who: { principal: string; group: boolean },
  perm: { roleId: number; propagate: boolean } | undefined,
): Promise<void> {
  const ref: MoRef = { type: entity.type, value: entity.ref };
  if (perm === undefined) {
    await fl.admin.removeEntityPermission(ref, who.principal, who.group);
    return;
  }
  const mine = { ...who, ...perm };
  if (fl.semantics === 'vcenter') {
    await fl.admin.setEntityPermissions(ref, [mine]);
    return;
  }
  const now = (await fl.admin.retrieveEntityPermissions(ref, false)).filter(
    (p) => principalOf(p) !== principalOf(who),
  );
  await fl.admin.setEntityPermissions(ref, [...now, mine]);
}

/** Puts one object and principal back as `state` has it (the administrator undoing their change). */
export async function adminRevert(
  fl: FaultLab,
  entity: Entity,
  who: { principal: string; group: boolean },
  state: PermissionState,
): Promise<void> {
  const was = state.get(stateKey(entity.ref, who));
  if (was === undefined) {
    await adminChange(fl, entity, who, undefined);
    return;
  }
  const [roleId, propagate] = was.split('/');
  await adminChange(fl, entity, who, { roleId: Number(roleId), propagate: propagate === 'true' });
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'drperm-faults-'));
}
