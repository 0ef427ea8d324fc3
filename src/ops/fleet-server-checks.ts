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
import { Inventory } from '../model/inventory';
import type { Snapshot } from '../model/snapshot';
import type { LoadedTenantPolicy } from '../policy/tenant-policy';
import { resolveTenant } from '../policy/tenant-resolve';
import { ExitCode } from '../util/errors';
import type { Logger } from '../util/log';
import { withSession } from '../vsphere/session';
import type { ConnectOptions } from '../vsphere/types';
import { checkSameServer, confirmWithServer, type ConfirmRun } from './confirm';
import { discoverTenants, type TenantDiscoveryResult } from './discover';
import { info, type Emit } from './events';

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
  const out: VcenterServerChecks = { vcenter, findings: [] };
  const inventory = new Inventory(snapshot.entities, snapshot.rootFolder);
  // The audit warns about unresolved policy paths itself.
  const tenants = policies.map((p) => resolveTenant(p.policy, inventory, p.file));
  const membership = options.membership ? { membership: options.membership } : {};
  if (options.confirm) {
    info(emit, `asking ${connection.url} for each tenant account's effective privileges ...`);
    out.confirm = await withSession(connection, log, async (client) => {
      checkSameServer(snapshot, client);
      return confirmWithServer(client, snapshot, tenants, {
        emit,
        ...membership,
        ...(options.membershipFile !== undefined ? { membershipFile: options.membershipFile } : {}),
      });
    });
    out.findings.push(...out.confirm.findings);
    const t = out.confirm.confirmation.totals;
    info(
      emit,
      `vCenter confirmed ${t.agreed} of ${t.entitiesAsked} entity answers; ${t.differs} differ`,
    );
  }
  if (options.discover) {
    const { username: _u, password: _p, ...server } = connection;
    out.seen = await discoverTenants(server, snapshot, tenants, options.passwords ?? new Map(), {
      emit,
      sessionLog: log,
      ...membership,
    });
    for (const r of out.seen) {
      if (r.status === 'not discovered')
        info(emit, `tenant ${r.tenant} not discovered: ${r.reason ?? ''}`);
      out.findings.push(...r.findings);
    }
  }
  out.findings = out.findings.map((f) => ({ ...f, vcenter }));
  return out;
}

/**
 * The check is incomplete when a tenant could not be discovered: 3 when a vCenter refused
 * its login, 2 when it could not be asked (group account, no password); as `tenant discover`.
 */
export function serverChecksFailure(checks: readonly VcenterServerChecks[]): number | undefined {
  const seen = checks.flatMap((c) => c.seen ?? []);
  if (seen.some((r) => r.cause === 'login-refused')) return ExitCode.Server;
  if (seen.some((r) => r.cause !== undefined)) return ExitCode.Usage;
  return undefined;
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
