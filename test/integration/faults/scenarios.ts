import { readdirSync } from 'node:fs';
/**
 * The faults of the suite, each installed on the proxy for one faulty apply. Which call is
 * hit is drawn from the run's seeded random numbers, so a failing run can be repeated with
 * its seed (DRPERM_FAULT_SEED).
 */
import type { FaultAction, FaultProxy } from '../../helpers/fault-proxy';
import { adminChange, type Entity, type FaultLab } from './harness';

/** Another administrator's change, made when drperm's first request on the object arrives. */
export interface ThirdPartyChange {
  entity: Entity;
  who: { principal: string; group: boolean };
  /** undefined: the permission is removed. */
  perm: { roleId: number; propagate: boolean } | undefined;
}

export interface Scenario {
  name: string;
  /** Installs the rules; returns the third-party change it will make, if any. */
  install(
    proxy: FaultProxy,
    fl: FaultLab,
    pick: (n: number) => number,
    /** Where the faulty apply writes its backup. */
    backupDir: string,
  ): ThirdPartyChange | undefined;
}

/** Writes and reads of the apply (not its connection and collection). */
const WRITE = 'SetEntityPermissions';
const READ = 'RetrieveEntityPermissions';

const on =
  (name: string, method: string | RegExp, action: (delayMs: number) => FaultAction, spread = 12) =>
  (delayMs: number): Scenario => ({
    name,
    install: (proxy, _fl, pick) => {
      proxy.inject({ method, nth: 1 + pick(spread), action: action(delayMs) });
      return undefined;
    },
  });

/** The other principals of the lab scenario (test/sim/scenarios/lab.yaml) and what an admin does to them. */
function thirdParty(fl: FaultLab, pick: (n: number) => number): ThirdPartyChange {
  const options: ThirdPartyChange[] = [
    {
      entity: fl.byPath.get('/DC0')!,
      who: { principal: 'VSPHERE.LOCAL\\backup-admins', group: true },
      perm: undefined,
    },
    {
      entity: fl.byPath.get('/')!,
      who: { principal: 'VSPHERE.LOCAL\\monitoring', group: false },
      perm: { roleId: -2, propagate: false },
    },
    {
      entity: fl.byPath.get('/DC0/host/DC0_C0')!,
      who: { principal: 'VSPHERE.LOCAL\\vc-auditors', group: true },
      perm: { roleId: -2, propagate: true },
    },
  ];
  return options[pick(options.length)]!;
}

/**
 * When the administrator strikes: once the backup is written (the apply has begun), at
 * drperm's write of the object on vCenter, at the read right before it on the simulator.
 */
function midApply(fl: FaultLab, backupDir: string) {
  return {
    method: fl.semantics === 'vcenter' ? WRITE : READ,
    nth: 1,
    when: () => readdirSync(backupDir).some((f) => f.endsWith('.json')),
  };
}

export function scenarios(timeoutMs: number): Scenario[] {
  const past = timeoutMs + 700;
  return [
    on('drop before a write', WRITE, () => ({ kind: 'drop-before' }))(past),
    on('drop after a write', WRITE, () => ({ kind: 'drop-after' }))(past),
    on('HTTP 500 SystemError on a write', WRITE, () => ({ kind: 'soap-fault' }))(past),
    on('HTTP 500 SystemError on a read', READ, () => ({ kind: 'soap-fault' }), 24)(past),
    on('HTTP 503 on a write', WRITE, () => ({ kind: 'http-status', status: 503 }))(past),
    on('HTTP 503 on a read', READ, () => ({ kind: 'http-status', status: 503 }), 24)(past),
    on('drop before a read', READ, () => ({ kind: 'drop-before' }), 24)(past),
    on('session lost before a write', WRITE, () => ({ kind: 'lose-session' }))(past),
    on('session lost before a read', READ, () => ({ kind: 'lose-session' }), 24)(past),
    on('NotAuthenticated on a write', WRITE, () => ({
      kind: 'soap-fault',
      faultType: 'NotAuthenticated',
    }))(past),
    on('a write delayed past the timeout', WRITE, (ms) => ({ kind: 'delay', ms }))(past),
    on('a read delayed past the timeout', READ, (ms) => ({ kind: 'delay', ms }), 24)(past),
    on(
      'drop during the collection',
      /^(Continue)?RetrievePropertiesEx$/,
      () => ({
        kind: 'drop-before',
      }),
      3,
    )(past),
    {
      name: 'another administrator changes a permission mid-apply',
      install: (proxy, fl, pick, backupDir) => {
        const change = thirdParty(fl, pick);
        proxy.inject({
          ...midApply(fl, backupDir),
          entity: change.entity.ref,
          action: {
            kind: 'run',
            name: 'third-party change',
            action: () => adminChange(fl, change.entity, change.who, change.perm),
          },
        });
        return change;
      },
    },
    {
      name: 'another administrator mid-apply, and a dropped write',
      install: (proxy, fl, pick, backupDir) => {
        const change = thirdParty(fl, pick);
        proxy.inject({
          ...midApply(fl, backupDir),
          entity: change.entity.ref,
          action: {
            kind: 'run',
            name: 'third-party change',
            action: () => adminChange(fl, change.entity, change.who, change.perm),
          },
        });
        proxy.inject({ method: WRITE, nth: 2 + pick(10), action: { kind: 'drop-after' } });
        return change;
      },
    },
    {
      name: 'random faults on every call',
      install: (proxy, _fl, pick) => {
        const kinds: FaultAction[] = [
          { kind: 'drop-before' },
          { kind: 'drop-after' },
          { kind: 'soap-fault' },
          { kind: 'http-status', status: 503 },
          { kind: 'lose-session' },
        ];
        proxy.inject({
          method: /^(SetEntityPermissions|RemoveEntityPermission|RetrieveEntityPermissions)$/,
          probability: 0.08,
          action: kinds[pick(kinds.length)]!,
        });
        return undefined;
      },
    },
  ];
}
