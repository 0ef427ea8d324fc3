/**
 * `audit --fleet --confirm-with-server --discover`: the two server checks of a single audit
 * (src/ops/confirm.ts, src/ops/discover.ts), asked of every live vCenter of the estate for
 * the tenants that live on it: vCenter's effective privileges for each tenant account (the
 * administrator's session), and what each tenant account's own session discovers there (the
 * tenant's password, the same account on each vCenter it lives on). Results carry their
 * vCenter; the report joins them (fleetServerCheckSections).
 */
import type { EffectiveAccessRow } from '../audit/report-model';
import type { MembershipInput } from '../audit/principals';
import type { ServerConfirmation } from '../audit/server-confirm';
import type { Finding } from '../audit/types';
import type { Snapshot } from '../model/snapshot';
import type { LoadedTenantPolicy } from '../policy/tenant-policy';
import { ExitCode } from '../util/errors';
import type { Logger } from '../util/log';
import type { ConnectOptions } from '../vsphere/types';
import { runServerChecks } from './audit-server-checks';
import type { ConfirmRun } from './confirm';
import type { TenantDiscoveryResult } from './discover';
import type { Emit } from './events';
import { discoveryExitCode } from './tenant-discover';

export interface FleetServerCheckOptions {
  confirm: boolean;
  discover: boolean;
  /** Tenant name -> password of its account (--tenant-passwords), for --discover. */
  passwords?: ReadonlyMap<string, string>;
  membership?: MembershipInput;
  membershipFile?: string;
}

/** One vCenter's answers; findings already name the vCenter. */
export interface VcenterServerChecks {
  vcenter: string;
  findings: Finding[];
  confirm?: ConfirmRun;
  seen?: TenantDiscoveryResult[];
}

export function wantsServerChecks(o: FleetServerCheckOptions | undefined): boolean {
  return o !== undefined && (o.confirm || o.discover);
}

export async function vcenterServerChecks(
  vcenter: string,
  connection: ConnectOptions,
  snapshot: Snapshot,
  policies: readonly LoadedTenantPolicy[],
  options: FleetServerCheckOptions,
  log: Logger,
  emit: Emit,
): Promise<VcenterServerChecks> {
  // The single audit's checks, asked of this vCenter; its findings then name the vCenter.
  const checks = await runServerChecks(
    {
      connection,
      confirmWithServer: options.confirm,
      ...(options.discover ? { discover: { passwords: options.passwords ?? new Map() } } : {}),
      ...(options.membership ? { membership: options.membership } : {}),
      ...(options.membershipFile !== undefined ? { membershipFile: options.membershipFile } : {}),
    },
    snapshot,
    policies,
    log,
    emit,
  );
  return {
    vcenter,
    findings: checks.findings.map((f) => ({ ...f, vcenter })),
    ...(checks.confirm ? { confirm: checks.confirm } : {}),
    ...(checks.seen ? { seen: checks.seen } : {}),
  };
}

/**
 * The check is incomplete when a tenant could not be discovered: 3 when a vCenter refused
 * its login, 2 when it could not be asked (group account, no password); as `tenant discover`.
 */
export function serverChecksFailure(checks: readonly VcenterServerChecks[]): number | undefined {
  const code = discoveryExitCode(checks.flatMap((c) => c.seen ?? []));
  return code > ExitCode.Findings ? code : undefined;
}

/** "Confirmed by vCenter" on each Effective access row, from that row's vCenter's answers. */
export function markConfirmed(
  rows: readonly EffectiveAccessRow[],
  checks: readonly VcenterServerChecks[],
): void {
  const byVcenter = new Map(checks.flatMap((c) => (c.confirm ? [[c.vcenter, c.confirm]] : [])));
  if (byVcenter.size === 0) return;
  for (const row of rows) {
    const c = row.vcenter !== undefined ? byVcenter.get(row.vcenter) : undefined;
    row.confirmedByVcenter = c ? c.status(row.tenant, row.entity.moref) : 'not asked';
  }
}

/** The report sections of every vCenter's checks, each row naming its vCenter. */
export function fleetServerCheckSections(checks: readonly VcenterServerChecks[]): {
  serverConfirmation?: ServerConfirmation;
  seenAsTenant?: TenantDiscoveryResult[];
} {
  const confirms = checks.flatMap((c) =>
    c.confirm ? [{ vcenter: c.vcenter, ...c.confirm.confirmation }] : [],
  );
  const seen = checks.flatMap((c) => (c.seen ?? []).map((s) => ({ ...s, vcenter: c.vcenter })));
  const first = confirms[0];
  const sum = (k: keyof ServerConfirmation['totals']) =>
    confirms.reduce((n, c) => n + c.totals[k], 0);
  return {
    ...(first
      ? {
          serverConfirmation: {
            method: first.method,
            groupNote: first.groupNote,
            tenants: confirms.flatMap((c) => c.tenants.map((t) => ({ ...t, vcenter: c.vcenter }))),
            totals: {
              entitiesAsked: sum('entitiesAsked'),
              agreed: sum('agreed'),
              differs: sum('differs'),
            },
          },
        }
      : {}),
    ...(checks.some((c) => c.seen) ? { seenAsTenant: seen } : {}),
  };
}
