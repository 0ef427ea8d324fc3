/**
 * `audit --confirm-with-server`: asks vCenter, with the administrator's session, for each
 * tenant account's effective privileges on every entity of the snapshot, and compares with
 * drperm's computation (src/audit/server-confirm.ts).
 *
 * Cost: entities drperm computes no privilege on (most of them, for a tenant account) are
 * asked with HasUserPrivilegeOnEntities for System.View only, whose answer is one boolean per
 * entity; FetchUserPrivilegeOnEntities (every privilege) is asked for the rest, and for any
 * entity vCenter says is visible after all. Batches of `batchSize` entities run `concurrency`
 * at a time, across all tenants.
 */
import { AccessModel, resolveAccess } from '../audit/effective-access';
import { resolvePrincipals, type MembershipInput } from '../audit/principals';
import {
  compareWithServer,
  type ConfirmOutcome,
  type ConfirmTenantInput,
  type ServerAnswer,
} from '../audit/server-confirm';
import type { Snapshot } from '../model/snapshot';
import type { ResolvedTenant } from '../policy/tenant-resolve';
import { InputError } from '../util/errors';
import type { VimClient } from '../vsphere/client';
import { ManagedObjectNotFoundFault } from '../vsphere/faults';
import { mapLimit } from '../vsphere/semaphore';
import type { MoRef } from '../vsphere/types';
import {
  fetchUserPrivilegeOnEntities,
  hasUserPrivilegeOnEntities,
} from '../vsphere/user-privileges';
import { debug, warn, type Emit } from './events';

export const CONFIRM_BATCH_SIZE = 1000;
export const CONFIRM_CONCURRENCY = 8;
const VIEW = 'System.View';

export interface ConfirmOptions {
  /** Progress on the batches; notes on entities deleted since the snapshot. */
  emit: Emit;
  membership?: MembershipInput;
  membershipFile?: string;
  batchSize?: number;
  concurrency?: number;
  /** The model the audit uses, to resolve once (built from the snapshot when absent). */
  model?: AccessModel;
}

export interface ConfirmRun extends ConfirmOutcome {
  /** Calls made, for the log and the benchmark. */
  calls: { fetch: number; has: number };
}

/** The snapshot must come from the server that is asked: same instance UUID. */
export function checkSameServer(snapshot: Snapshot, client: VimClient): void {
  const asked = client.about.instanceUuid;
  if (snapshot.vcenter.instanceUuid !== asked) {
    throw new InputError(
      `the snapshot is of vCenter ${snapshot.vcenter.instanceUuid || '(no instance UUID)'}, but ${client.url} is ${asked || '(no instance UUID)'}`,
      { hint: 'confirm against the vCenter the snapshot was collected from, or audit live' },
    );
  }
}

interface Job {
  kind: 'fetch' | 'has';
  tenant: number;
  refs: MoRef[];
}

export async function confirmWithServer(
  client: VimClient,
  snapshot: Snapshot,
  tenants: readonly ResolvedTenant[],
  options: ConfirmOptions,
): Promise<ConfirmRun> {
  const batchSize = options.batchSize ?? CONFIRM_BATCH_SIZE;
  const concurrency = options.concurrency ?? CONFIRM_CONCURRENCY;
  const model = options.model ?? new AccessModel(snapshot);
  const calls = { fetch: 0, has: 0 };
  const inputs: ConfirmTenantInput[] = tenants.map((t) => {
    const principals = resolvePrincipals(t.principal, {
      group: t.group,
      ...(options.membership ? { membership: options.membership } : {}),
    });
    const input: ConfirmTenantInput = {
      tenant: t.policy.tenant,
      principal: t.principal,
      principals,
      access: resolveAccess(model, principals),
    };
    if (t.group) {
      input.reason =
        'the account is a group: vCenter answers for user names only (ask for one of its members with a tenant file naming the user)';
    }
    return input;
  });

  const answers = inputs.map(() => new Map<string, ServerAnswer>());
  // Entities vCenter says the account cannot see, where drperm computes nothing either: the
  // bulk of a tenant's answers. Counted, not kept (50 tenants x 45,000 entities).
  const unseen = inputs.map(() => 0);
  // One reference per entity, shared by every tenant's batches.
  const allRefs = model.inventory.entities.map((e) => ({ type: e.type, value: e.ref }));
  const fetchJobs: Job[] = [];
  const hasJobs: Job[] = [];
  inputs.forEach((t, i) => {
    if (t.reason !== undefined) return;
    const computed: MoRef[] = [];
    const others: MoRef[] = [];
    for (const ref of allRefs) {
      if ((t.access.get(ref.value)?.privileges.length ?? 0) > 0) computed.push(ref);
      else others.push(ref);
    }
    for (const refs of chunks(computed, batchSize))
      fetchJobs.push({ kind: 'fetch', tenant: i, refs });
    for (const refs of chunks(others, batchSize)) hasJobs.push({ kind: 'has', tenant: i, refs });
  });

  const total = fetchJobs.length + hasJobs.length;
  let done = 0;
  const emit = options.emit;
  const tick = () =>
    emit({ type: 'progress', message: `asking vCenter: ${++done}/${total} batches` });
  const runFetch = async (job: Job) => {
    const user = inputs[job.tenant]!.principal;
    const results = await bisectGone(job.refs, emit, (refs) => {
      calls.fetch++;
      return fetchUserPrivilegeOnEntities(client, refs, user);
    });
    for (const r of results) answers[job.tenant]!.set(r.entity.value, r.privileges);
  };
  const followUps: Job[] = [];
  await mapLimit([...fetchJobs, ...hasJobs], concurrency, async (job) => {
    if (job.kind === 'fetch') await runFetch(job);
    else {
      const user = inputs[job.tenant]!.principal;
      const results = await bisectGone(job.refs, emit, (refs) => {
        calls.has++;
        return hasUserPrivilegeOnEntities(client, refs, user, [VIEW]);
      });
      const visible: MoRef[] = [];
      for (const r of results) {
        if (r.granted.get(VIEW) === true) visible.push(r.entity);
        else unseen[job.tenant]!++;
      }
      // vCenter lets the account see what drperm says it cannot: ask for everything it holds there.
      for (const refs of chunks(visible, batchSize))
        followUps.push({ kind: 'fetch', tenant: job.tenant, refs });
    }
    tick();
  });
  if (followUps.length > 0) {
    debug(
      emit,
      `confirm: ${followUps.length} follow-up batch(es) where vCenter grants System.View`,
    );
    await mapLimit(followUps, concurrency, runFetch);
  }

  inputs.forEach((t, i) => {
    if (t.reason === undefined) {
      t.answers = answers[i]!;
      t.unseen = unseen[i]!;
    }
  });
  emit({ type: 'progress-done' });
  debug(
    emit,
    `confirm: ${calls.fetch} FetchUserPrivilegeOnEntities and ${calls.has} HasUserPrivilegeOnEntities calls`,
  );
  return { ...compareWithServer(model, inputs, options.membershipFile), calls };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * One call for the batch; when an entity of it no longer exists (deleted since the
 * snapshot), the batch is split until the missing entities are found and left out: they
 * stay "not asked" instead of failing the whole confirmation.
 */
async function bisectGone<R>(
  refs: MoRef[],
  emit: Emit,
  call: (refs: MoRef[]) => Promise<R[]>,
): Promise<R[]> {
  try {
    return await call(refs);
  } catch (err) {
    if (!(err instanceof ManagedObjectNotFoundFault)) throw err;
    if (refs.length === 1) {
      warn(emit, `confirm: ${refs[0]!.type} ${refs[0]!.value} no longer exists; not asked`);
      return [];
    }
    const half = Math.ceil(refs.length / 2);
    return [
      ...(await bisectGone(refs.slice(0, half), emit, call)),
      ...(await bisectGone(refs.slice(half), emit, call)),
    ];
  }
}
