/**
 * The two checks `drperm audit` can ask the server for, besides its own computation:
 * `--confirm-with-server` (vCenter's effective privileges for each tenant account, with the
 * administrator's session; src/ops/confirm.ts) and `--discover` (what each tenant account's
 * own session sees; src/ops/discover.ts). Their results go to the audit use case
 * (src/ops/server-checks.ts), which adds them to findings, verdicts and reports.
 */
import type { MembershipInput } from '../audit/principals';
import type { Snapshot } from '../model/snapshot';
import type { LoadedTenantPolicy } from '../policy/tenant-policy';
import type { Logger } from '../util/log';
import { withSession } from '../vsphere/session';
import type { ConnectOptions } from '../vsphere/types';
import { checkSameServer, confirmWithServer } from './confirm';
import { discoverTenants } from './discover';
import { info, warn, type Emit } from './events';
import type { ServerCheckResults } from './server-checks';
import { discoveryExitCode, resolvePolicies, serverSettings } from './tenant-discover';

export interface ServerCheckRequest {
  /** The administrator's connection (the snapshot's vCenter). */
  connection: ConnectOptions;
  confirmWithServer: boolean;
  /** --discover: each tenant account's password, by tenant. */
  discover?: { passwords: ReadonlyMap<string, string> };
  membership?: MembershipInput;
  membershipFile?: string;
}

export interface ServerChecks extends ServerCheckResults {
  /** Exit code when a tenant could not be discovered (2 or 3): the check is incomplete. */
  failure?: number;
}

export async function runServerChecks(
  request: ServerCheckRequest,
  snapshot: Snapshot,
  policies: readonly LoadedTenantPolicy[],
  sessionLog: Logger,
  emit: Emit,
): Promise<ServerChecks> {
  const out: ServerChecks = { findings: [] };
  const { connection, membership } = request;
  // The audit warns about unresolved policy paths itself; do not say it twice.
  const tenants = resolvePolicies(policies, snapshot, () => undefined);
  if (request.confirmWithServer) {
    info(emit, `asking ${connection.url} for each tenant account's effective privileges ...`);
    out.confirm = await withSession(connection, sessionLog, async (client) => {
      checkSameServer(snapshot, client);
      return confirmWithServer(client, snapshot, tenants, {
        emit,
        ...(membership ? { membership } : {}),
        ...(request.membershipFile !== undefined ? { membershipFile: request.membershipFile } : {}),
      });
    });
    out.findings.push(...out.confirm.findings);
    const t = out.confirm.confirmation.totals;
    info(
      emit,
      `vCenter confirmed ${t.agreed} of ${t.entitiesAsked} entity answers; ${t.differs} differ`,
    );
  }
  if (request.discover) {
    out.seen = await discoverTenants(
      serverSettings(connection),
      snapshot,
      tenants,
      request.discover.passwords,
      { emit, sessionLog, ...(membership ? { membership } : {}) },
    );
    for (const r of out.seen) {
      if (r.status === 'not discovered')
        warn(emit, `tenant ${r.tenant} not discovered: ${r.reason ?? ''}`);
      out.findings.push(...r.findings);
    }
    const code = discoveryExitCode(out.seen);
    if (code > 1) out.failure = code;
  }
  return out;
}
