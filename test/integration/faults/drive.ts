/**
 * drperm's use cases driven in-process through the fault proxy (the CLI's own path from
 * ops/ down, without a process per run), collecting what they report.
 */
import { join } from 'node:path';
import type { OpsEvent } from '../../../src/ops/events';
import {
  applyTenants,
  failIfIncomplete,
  pendingChanges,
  planTenants,
  refuseIfNeeded,
} from '../../../src/ops/tenant';
import { planRollbackLive, rollbackTenant } from '../../../src/ops/tenant-rollback';
import { readBackup } from '../../../src/plan/backup';
import type { OtherChange } from '../../../src/plan/others';
import { loadTenantPolicies, type LoadedTenantPolicy } from '../../../src/policy/tenant-policy';
import { DrpermError } from '../../../src/util/errors';
import type { VimClient } from '../../../src/vsphere/client';
import type { FaultLab } from './harness';

export const REPO = join(__dirname, '..', '..', '..');
export const CONTOSO = 'VSPHERE.LOCAL\\asr-contoso';
export const FABRIKAM = 'VSPHERE.LOCAL\\asr-fabrikam';

export function tenantPolicies(tenant: 'contoso' | 'fabrikam'): Promise<LoadedTenantPolicy[]> {
  return loadTenantPolicies([join(REPO, 'policies', 'tenants', `${tenant}.yaml`)]);
}

export interface Outcome {
  /** The error the use case ended with (a DrpermError carries its exit code). */
  error?: Error;
  /** Other principals' changes drperm reported (during the run, or since an unfinished one). */
  reported: OtherChange[];
  backupFiles: string[];
  /** The exit code the CLI would give when no error was thrown (1: others' changes reported). */
  exitCode?: number;
  ms: number;
}

/** Runs `work` on a fresh session through the proxy; errors are the outcome, never thrown. */
async function session(
  fl: FaultLab,
  timeoutMs: number,
  work: (client: VimClient, emit: (e: OpsEvent) => void, out: Outcome) => Promise<void>,
): Promise<Outcome> {
  const out: Outcome = { reported: [], backupFiles: [], ms: 0 };
  const start = Date.now();
  // Every report of another principal's change, during the run or since an unfinished one.
  const emit = (e: OpsEvent) => {
    if (e.type === 'others-changed') out.reported.push(...e.changes);
  };
  let client: VimClient | undefined;
  try {
    client = await fl.connect(timeoutMs);
    await work(client, emit, out);
  } catch (err) {
    out.error = err as Error;
  } finally {
    await client?.logout();
  }
  out.ms = Date.now() - start;
  return out;
}

export function apply(
  fl: FaultLab,
  tenants: LoadedTenantPolicy[],
  backupDir: string,
  timeoutMs: number,
  signal: AbortSignal = new AbortController().signal,
): Promise<Outcome> {
  return session(fl, timeoutMs, async (client, emit, out) => {
    const live = await planTenants(client, tenants, { prune: false }, emit);
    refuseIfNeeded(live.result);
    const { applied, unfinished } = await applyTenants(
      client,
      live,
      { backupDir, concurrency: 4, signal },
      emit,
    );
    out.backupFiles.push(...applied.map((a) => a.backupFile));
    out.exitCode = failIfIncomplete(
      applied,
      pendingChanges(live.result).plans.length,
      signal.aborted,
      unfinished,
    );
  });
}

/** Permission changes a fresh plan still wants (0: converged). */
export async function pending(fl: FaultLab, tenants: LoadedTenantPolicy[]): Promise<number> {
  const client = await fl.connect(30_000);
  try {
    const live = await planTenants(client, tenants, { prune: false }, () => undefined);
    return pendingChanges(live.result).total;
  } finally {
    await client.logout();
  }
}

export function rollback(
  fl: FaultLab,
  backupFile: string,
  backupDir: string,
  timeoutMs: number,
): Promise<Outcome> {
  return session(fl, timeoutMs, async (client, emit) => {
    const backup = await readBackup(backupFile);
    const live = await planRollbackLive(client, backup, backupFile, 4);
    if (live.plan.changes.length === 0) return;
    await rollbackTenant(
      client,
      backup,
      live,
      { backupDir, concurrency: 4, signal: new AbortController().signal },
      emit,
    );
  });
}

/** A clean failure: drperm's own error with an exit code, not a crash. */
export const isCleanFailure = (err: Error | undefined) =>
  err === undefined || (err instanceof DrpermError && err.exitCode >= 1);
