/**
 * `audit --confirm-with-server`: asks vCenter, with the administrator's session, for each
 * tenant account's effective privileges on every entity of the snapshot, and compares with
 * drperm's computation (src/audit/server-confirm.ts).
 *
 * Cost: every entity is first asked with HasUserPrivilegeOnEntities for System.View only,
 * whose answer is one boolean per entity; FetchUserPrivilegeOnEntities (every privilege) is
 * asked only where drperm computes any privilege or vCenter grants System.View, the few
 * entities a tenant account holds anything on. The batches are the same for every tenant,
 * so each batch's request XML is built once; `concurrency` calls run at a time, across all
 * tenants.
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
  entityBatch,
  fetchUserPrivilegeOnEntities,
  hasUserPrivilegeOnEntities,
  type EntityBatch,
} from '../vsphere/user-privileges';
import { debug, warn, type Emit } from './events';

/** Entities per HasUserPrivilegeOnEntities call: its answer is one boolean per entity. */
export const CONFIRM_BATCH_SIZE = 5000;
/** Entities per FetchUserPrivilegeOnEntities call: an Admin answer lists every privilege. */
export const CONFIRM_FETCH_BATCH_SIZE = 1000;
export const CONFIRM_CONCURRENCY = 8;
const VIEW = 'System.View';

export interface ConfirmOptions {
  /** Progress on the batches; notes on entities deleted since the snapshot. */
  emit: Emit;
  membership?: MembershipInput;
  membershipFile?: string;
  /** Entities per call (FetchUserPrivilegeOnEntities: at most CONFIRM_FETCH_BATCH_SIZE). */
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
  const asked = inputs.map((t, i) => ({ t, i })).filter(({ t }) => t.reason === undefined);

  const answers = inputs.map(() => new Map<string, ServerAnswer>());
  // Entities vCenter says the account cannot see, where drperm computes nothing either: the
  // bulk of a tenant's answers. Counted, not kept (50 tenants x 45,000 entities).
  const unseen = inputs.map(() => 0);
  // The same batches for every tenant: each batch's XML is built once.
  const batches = chunks(
    model.inventory.entities.map((e) => ({ type: e.type, value: e.ref })),
    batchSize,
  ).map(entityBatch);
  const toFetch = inputs.map((): MoRef[] => []);

  const emit = options.emit;
  let done = 0;
  const total = asked.length * batches.length;
  await mapLimit(
    asked.flatMap(({ i }) => batches.map((batch) => ({ tenant: i, batch }))),
    concurrency,
    async ({ tenant, batch }) => {
      const t = inputs[tenant]!;
      const results = await bisectGone(batch, emit, (refs) => {
        calls.has++;
        return hasUserPrivilegeOnEntities(client, refs, t.principal, [VIEW]);
      });
      for (const r of results) {
        const computed = (t.access.get(r.entity.value)?.privileges.length ?? 0) > 0;
        if (computed || r.granted.includes(VIEW)) toFetch[tenant]!.push(r.entity);
        else unseen[tenant]!++;
      }
      emit({ type: 'progress', message: `asking vCenter: ${++done}/${total} batches` });
    },
  );
  const fetches = asked.flatMap(({ i }) =>
    chunks(toFetch[i]!, Math.min(batchSize, CONFIRM_FETCH_BATCH_SIZE)).map((refs) => ({
      tenant: i,
      batch: entityBatch(refs),
    })),
  );
  debug(emit, `confirm: ${fetches.length} FetchUserPrivilegeOnEntities batch(es) to compare`);
  await mapLimit(fetches, concurrency, async ({ tenant, batch }) => {
    const user = inputs[tenant]!.principal;
    const results = await bisectGone(batch, emit, (refs) => {
      calls.fetch++;
      return fetchUserPrivilegeOnEntities(client, refs, user);
    });
    for (const r of results) answers[tenant]!.set(r.entity.value, r.privileges);
  });

  for (const { t, i } of asked) {
    t.answers = answers[i]!;
    t.unseen = unseen[i]!;
  }
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
  batch: EntityBatch,
  emit: Emit,
  call: (batch: EntityBatch) => Promise<R[]>,
): Promise<R[]> {
  try {
    return await call(batch);
  } catch (err) {
    if (!(err instanceof ManagedObjectNotFoundFault)) throw err;
    const refs = batch.refs;
    if (refs.length === 1) {
      warn(emit, `confirm: ${refs[0]!.type} ${refs[0]!.value} no longer exists; not asked`);
      return [];
    }
    const half = Math.ceil(refs.length / 2);
    return [
      ...(await bisectGone(entityBatch(refs.slice(0, half)), emit, call)),
      ...(await bisectGone(entityBatch(refs.slice(half)), emit, call)),
    ];
  }
}
