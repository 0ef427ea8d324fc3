/**
 * `drperm audit` of one vCenter, from its inputs to its reports: the membership sources are
 * opened first (a bad directory setting fails before the long collection), the snapshot is
 * read or collected (the directories recorded in it), the server checks run, then the audit
 * (src/ops/audit.ts) writes the reports. The exit code travels in the result.
 */
import type { LoadedTenantPolicy } from '../policy/tenant-policy';
import { ExitCode } from '../util/errors';
import type { Logger } from '../util/log';
import type { ConnectOptions } from '../vsphere/types';
import { auditTenants, type AuditOptions, type AuditOutcome } from './audit';
import { runServerChecks, type ServerChecks } from './audit-server-checks';
import type { Emit } from './events';
import { MembershipSources, type MembershipSettings } from './membership';
import { obtainSnapshot, type SnapshotSource } from './snapshot-source';

export interface AuditRunInput {
  tenants: readonly LoadedTenantPolicy[];
  source: SnapshotSource;
  membership: MembershipSettings;
  /** --confirm-with-server and --discover, on the vCenter of `connection`. */
  serverChecks?: {
    connection: ConnectOptions;
    confirmWithServer: boolean;
    discover?: { passwords: ReadonlyMap<string, string> };
  };
  options: Omit<AuditOptions, 'tenants' | 'membership' | 'membershipFile' | 'serverChecks'>;
}

export interface AuditRun extends AuditOutcome {
  checks: ServerChecks;
  /** 0 clean, 1 findings at or above --fail-on, 2 or 3 when a tenant could not be discovered. */
  exitCode: number;
}

export async function runAudit(
  input: AuditRunInput,
  sessionLog: Logger,
  emit: Emit,
): Promise<AuditRun> {
  const { tenants } = input;
  const membershipFile = input.membership.membershipFile;
  const directory = await MembershipSources.open(input.membership, emit);
  let snapshotInput: Awaited<ReturnType<typeof obtainSnapshot>>;
  let membership: Awaited<ReturnType<MembershipSources['forAudit']>>;
  try {
    snapshotInput = await obtainSnapshot(
      input.source,
      sessionLog,
      emit,
      directory.readsVcenter ? (c, s) => directory.recordInSnapshot(c, s) : undefined,
    );
    membership = await directory.forAudit(snapshotInput.snapshot);
  } finally {
    await directory.close();
  }
  const checks: ServerChecks = input.serverChecks
    ? await runServerChecks(
        {
          ...input.serverChecks,
          ...(membership ? { membership } : {}),
          ...(membershipFile !== undefined ? { membershipFile } : {}),
        },
        snapshotInput.snapshot,
        tenants,
        sessionLog,
        emit,
      )
    : { findings: [] };
  const outcome = await auditTenants(
    snapshotInput,
    {
      ...input.options,
      tenants,
      ...(membership ? { membership } : {}),
      ...(membershipFile !== undefined ? { membershipFile } : {}),
      serverChecks: checks,
    },
    emit,
  );
  // A tenant that could not be discovered leaves the check incomplete: input or server error.
  const exitCode = checks.failure ?? (outcome.failing > 0 ? ExitCode.Findings : ExitCode.Ok);
  return { ...outcome, checks, exitCode };
}
