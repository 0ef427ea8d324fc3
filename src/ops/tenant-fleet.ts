/**
 * `tenant plan|apply|verify|drift|rollback --fleet`: each tenant on the vCenters its policy
 * names (README "Dedicated and managed-service models"). apply plans every vCenter with all
 * sessions open, the caller asks once for the whole estate, then each vCenter is applied in
 * turn with its backups in a directory of its own; a vCenter that cannot be reached is
 * reported and the others go on (exit 3 at the end).
 */
import { join } from 'node:path';
import type { Backup } from '../plan/backup';
import type { PlanResult, TenantPlan } from '../plan/tenant-plan';
import { assignTenants, type Fleet } from '../policy/fleet';
import type { LoadedRolePolicy } from '../policy/role-policy';
import type { LoadedTenantPolicy } from '../policy/tenant-policy';
import { DrpermError, ExitCode, InputError } from '../util/errors';
import type { Logger } from '../util/log';
import { VimClient } from '../vsphere/client';
import { warn, type Emit } from './events';
import { failureReason, type FleetTarget } from './fleet';
import {
  applyTenants,
  driftTenants,
  failIfIncomplete,
  pendingChanges,
  planTenants,
  refuseIfNeeded,
  verifyTenants,
  type AppliedTenant,
  type ChangeOptions,
  type CheckResult,
  type LivePlan,
  type UnfinishedRun,
} from './tenant';

/** One vCenter of the run with the tenants its policies place there. */
export interface FleetMember {
  target: FleetTarget;
  tenants: LoadedTenantPolicy[];
}

/** A vCenter that could not be reached: the others go on, the run exits 3. */
export interface FleetFailure {
  vcenter: string;
  reason: string;
}

/** The vCenters of the run that carry at least one of the given tenants. */
export function fleetMembers(
  fleet: Fleet,
  targets: readonly FleetTarget[],
  tenants: readonly LoadedTenantPolicy[],
): FleetMember[] {
  const byVcenter = assignTenants(
    fleet.vcenters.map((v) => v.name),
    tenants,
  );
  return targets
    .map((target) => ({ target, tenants: byVcenter.get(target.name) ?? [] }))
    .filter((m) => m.tenants.length > 0);
}

/** A use case's events for one vCenter of several: every message says which. */
function vcenterEvents(emit: Emit, m: FleetMember): Emit {
  return (e) => {
    if (e.type === 'info' || e.type === 'warning' || e.type === 'debug' || e.type === 'progress')
      return emit({ ...e, message: `${m.target.name}: ${e.message}` });
    return emit(e);
  };
}

/** A session on the member's vCenter, or why there is none (server errors only; others throw). */
async function connect(m: FleetMember, log: Logger): Promise<VimClient | FleetFailure> {
  try {
    return await VimClient.connect(m.target.connection, log);
  } catch (err) {
    if (!(err instanceof DrpermError) || err.exitCode !== ExitCode.Server) throw err;
    return { vcenter: m.target.name, reason: failureReason(err) };
  }
}

/** The members whose vCenter answers, each with a new session; the others go to `failed`. */
async function* sessionsOf(
  list: readonly FleetMember[],
  log: Logger,
  failed: FleetFailure[],
): AsyncGenerator<{ member: FleetMember; client: VimClient }> {
  for (const member of list) {
    const client = await connect(member, log);
    if (client instanceof VimClient) yield { member, client };
    else failed.push(client);
  }
}

/** Work on each vCenter in turn; a server failure is recorded and the others go on. */
async function eachVcenter<T>(
  list: readonly FleetMember[],
  log: Logger,
  work: (client: VimClient, m: FleetMember) => Promise<T>,
): Promise<{ done: Array<{ member: FleetMember; value: T }>; failed: FleetFailure[] }> {
  const done: Array<{ member: FleetMember; value: T }> = [];
  const failed: FleetFailure[] = [];
  for await (const { member, client } of sessionsOf(list, log, failed)) {
    try {
      done.push({ member, value: await work(client, member) });
    } finally {
      await client.logout();
    }
  }
  return { done, failed };
}

export interface FleetPlans {
  done: Array<{ member: FleetMember; result: PlanResult }>;
  failed: FleetFailure[];
}

/** tenant plan --fleet. The caller renders the plans, then `refuseFleetPlans`. */
export async function planFleetTenants(
  members: readonly FleetMember[],
  options: { prune: boolean },
  log: Logger,
  emit: Emit,
): Promise<FleetPlans> {
  const { done, failed } = await eachVcenter(members, log, (client, m) =>
    planTenants(client, m.tenants, options, vcenterEvents(emit, m)),
  );
  return { done: done.map(({ member, value }) => ({ member, result: value.result })), failed };
}

/** Refuses when any vCenter's plan must be refused (after the plans were shown). */
export function refuseFleetPlans(results: readonly PlanResult[]): void {
  for (const r of results) refuseIfNeeded(r);
}

/** 3 when a vCenter could not be reached, else `code`. */
export const fleetExitCode = (failed: readonly FleetFailure[], code: number): number =>
  failed.length > 0 ? ExitCode.Server : code;

export interface FleetCheck {
  check: CheckResult;
  failed: FleetFailure[];
}

/** tenant verify|drift --fleet: the differences of every vCenter, each tenant tagged with it. */
export async function checkFleetTenants(
  members: readonly FleetMember[],
  rolePolicy: LoadedRolePolicy,
  kind: 'verify' | 'drift',
  log: Logger,
  emit: Emit,
): Promise<FleetCheck> {
  const checkTenants = kind === 'drift' ? driftTenants : verifyTenants;
  const { done, failed } = await eachVcenter(members, log, (client, m) =>
    checkTenants(client, m.tenants, rolePolicy, vcenterEvents(emit, m)),
  );
  return {
    check: {
      tenants: done.flatMap(({ member, value }) =>
        value.tenants.map((t) => ({ ...t, tenant: `${t.tenant} @ ${member.target.name}` })),
      ),
      differences: done.reduce((n, d) => n + d.value.differences, 0),
    },
    failed,
  };
}

export interface FleetSession {
  member: FleetMember;
  client: VimClient;
  live: LivePlan;
}

/** Every reachable vCenter planned, its session still open for the apply; `close` logs out. */
export interface FleetApplyPlan {
  sessions: FleetSession[];
  failed: FleetFailure[];
  /** The sessions with changes to make, and how many. */
  pending: Array<{ session: FleetSession; plans: TenantPlan[]; total: number }>;
  total: number;
  close(): Promise<void>;
}

/**
 * tenant apply --fleet, first half: plans every vCenter with all sessions open. `onPlanned`
 * hears each vCenter's plan as it is made. Refuses (after all are planned) when a plan must be.
 */
export async function planFleetApply(
  members: readonly FleetMember[],
  options: { prune: boolean },
  log: Logger,
  emit: Emit,
  onPlanned: (session: FleetSession) => void = () => undefined,
): Promise<FleetApplyPlan> {
  const sessions: FleetSession[] = [];
  const failed: FleetFailure[] = [];
  const close = async () => {
    await Promise.all(sessions.map((s) => s.client.logout()));
  };
  try {
    for await (const { member: m, client } of sessionsOf(members, log, failed)) {
      try {
        const live = await planTenants(client, m.tenants, options, vcenterEvents(emit, m));
        const session = { member: m, client, live };
        sessions.push(session);
        onPlanned(session);
      } catch (err) {
        await client.logout();
        throw err;
      }
    }
    refuseFleetPlans(sessions.map((s) => s.live.result));
  } catch (err) {
    await close();
    throw err;
  }
  const pending = sessions
    .map((session) => ({ session, ...pendingChanges(session.live.result) }))
    .filter((p) => p.plans.length > 0);
  return {
    sessions,
    failed,
    pending,
    total: pending.reduce((n, p) => n + p.total, 0),
    close,
  };
}

export interface FleetApplied {
  vcenters: Array<{
    vcenter: string;
    applied: AppliedTenant[];
    unfinished: UnfinishedRun[];
    /** Tenants with changes on this vCenter. */
    pendingTenants: number;
  }>;
}

/**
 * tenant apply --fleet, second half (after the caller's confirmation): applies vCenter by
 * vCenter, each one's backups in `backupDir/<vcenter>/`; a failed change on one vCenter does
 * not stop the next, Ctrl-C does.
 */
export async function applyFleetPlan(
  plan: FleetApplyPlan,
  options: ChangeOptions,
  emit: Emit,
  onTenant: (vcenter: string, plan: TenantPlan, applied: AppliedTenant) => void = () => undefined,
): Promise<FleetApplied> {
  const vcenters: FleetApplied['vcenters'] = [];
  for (const { session, plans } of plan.pending) {
    const name = session.member.target.name;
    const { applied, unfinished } = await applyTenants(
      session.client,
      session.live,
      { ...options, backupDir: join(options.backupDir, name) },
      vcenterEvents(emit, session.member),
      (p, outcome) => onTenant(name, p, outcome),
    );
    vcenters.push({ vcenter: name, applied, unfinished, pendingTenants: plans.length });
    if (options.signal.aborted) break;
  }
  return { vcenters };
}

/**
 * The exit code of a fleet apply, once its result is shown: throws (exit 3) when a change
 * failed on any vCenter (failIfIncomplete); 3 when a vCenter was not reached; 1 when others'
 * changes were reported; else 0.
 */
export function fleetApplyExitCode(
  result: FleetApplied,
  failed: readonly FleetFailure[],
  interrupted: boolean,
): number {
  const codes = result.vcenters.map((r) =>
    failIfIncomplete(r.applied, r.pendingTenants, interrupted, r.unfinished),
  );
  return fleetExitCode(failed, codes.includes(ExitCode.Findings) ? ExitCode.Findings : ExitCode.Ok);
}

/**
 * rollback --fleet: the backup names its vCenter (instance UUID); `work` runs in a session on
 * that vCenter only. vCenters that cannot be reached are warned about and skipped.
 */
export async function onBackupVcenter<T>(
  targets: readonly FleetTarget[],
  backup: Backup,
  log: Logger,
  emit: Emit,
  work: (client: VimClient, target: FleetTarget) => Promise<T>,
): Promise<T> {
  for (const target of targets) {
    const client = await VimClient.connect(target.connection, log).catch((err: unknown) => {
      warn(emit, `vCenter ${target.name}: ${failureReason(err)}`);
      return undefined;
    });
    if (!client) continue;
    try {
      if (client.about.instanceUuid !== backup.vcenter.instanceUuid) continue;
      return await work(client, target);
    } finally {
      await client.logout();
    }
  }
  throw new InputError(
    `no vCenter of the fleet is the backup's (${backup.vcenter.url}, instance ${backup.vcenter.instanceUuid})`,
    { hint: 'a backup is restored on the vCenter it was taken from' },
  );
}
