/**
 * drperm's use cases driven in-process through the fault proxy (the CLI's own path from
 * ops/ down, without a process per run), collecting what they report.
 */
import { join } from 'node:path';
import { applyTenant, failIfIncomplete } from '../../../src/cli/tenant/change';
import { planLive } from '../../../src/cli/tenant/plan-live';
import { rollback as rollbackCli } from '../../../src/cli/tenant/rollback';
import type { CommandContext } from '../../../src/cli/context';
import { readBackup } from '../../../src/plan/backup';
import { changesFromPlan } from '../../../src/plan/changes';
import { hasChanges } from '../../../src/plan/tenant-plan';
import { silentLogger } from '../../../src/util/log';
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
  ms: number;
}

/** Runs `work` on a fresh session through the proxy; errors are the outcome, never thrown. */
async function session(
  fl: FaultLab,
  timeoutMs: number,
  work: (client: VimClient, ctx: CommandContext, out: Outcome) => Promise<void>,
): Promise<Outcome> {
  const out: Outcome = { reported: [], backupFiles: [], ms: 0 };
  const start = Date.now();
  const emit: CommandContext = { log: silentLogger, out: () => undefined, interactive: false };
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
  return session(fl, timeoutMs, async (client, ctx, out) => {
    const { result, snapshot } = await planLive(client, tenants, false, ctx);
    if (result.refusals.length > 0) throw new Error(result.refusals[0]!.message);
    const plans = result.plans.filter(hasChanges);
    const applied = [];
    for (const plan of plans) {
      const a = await applyTenant(client, snapshot, plan, changesFromPlan(plan), {
        operation: 'apply',
        dir: backupDir,
        concurrency: 4,
        ctx,
        signal,
      });
      applied.push(a);
      out.reported.push(...a.report.othersChanged);
      out.backupFiles.push(a.backupFile);
      if (a.report.failed + a.report.notAttempted > 0) break;
    }
    failIfIncomplete(applied, plans.length, signal.aborted);
  });
}

/** Permission changes a fresh plan still wants (0: converged). */
export async function pending(fl: FaultLab, tenants: LoadedTenantPolicy[]): Promise<number> {
  const client = await fl.connect(30_000);
  try {
    const ctx: CommandContext = { log: silentLogger, out: () => undefined, interactive: false };
    const { result } = await planLive(client, tenants, false, ctx);
    return result.plans.filter(hasChanges).reduce((n, p) => n + changesFromPlan(p).length, 0);
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
  return session(fl, timeoutMs, async (client, ctx) => {
    const backup = await readBackup(backupFile);
    await rollbackCli(
      client,
      backup,
      { backup: backupFile, backupDir, yes: true },
      4,
      ctx,
      new AbortController().signal,
    );
  });
}

/** A clean failure: drperm's own error with an exit code, not a crash. */
export const isCleanFailure = (err: Error | undefined) =>
  err === undefined || (err instanceof DrpermError && err.exitCode >= 1);
