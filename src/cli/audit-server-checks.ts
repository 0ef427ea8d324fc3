/**
 * The two checks `drperm audit` can ask the server for, besides its own computation:
 * `--confirm-with-server` (vCenter's effective privileges for each tenant account, with the
 * administrator's session; src/ops/confirm.ts) and `--discover` (what each tenant account's
 * own session sees; src/ops/discover.ts). Their results go to the audit use case
 * (src/ops/server-checks.ts), which adds them to findings, verdicts and reports.
 */
import type { MembershipInput } from '../audit/principals';
import type { Snapshot } from '../model/snapshot';
import { checkSameServer, confirmWithServer } from '../ops/confirm';
import { discoverTenants } from '../ops/discover';
import { info } from '../ops/events';
import type { ServerCheckResults } from '../ops/server-checks';
import type { LoadedTenantPolicy } from '../policy/tenant-policy';
import { withSession } from '../vsphere/session';
import { resolveConnection, type ConnectionFlags } from './connection';
import type { CommandContext } from './context';
import { tenantPasswords, type TenantPasswordFlags } from './tenant-passwords';
import {
  accountsToLogIn,
  discoveryExitCode,
  resolvePolicies,
  serverSettings,
} from './tenant/discover';

export interface ServerCheckFlags extends ConnectionFlags, TenantPasswordFlags {
  discover?: boolean;
  confirmWithServer?: boolean;
  membership?: string;
}

export interface ServerChecks extends ServerCheckResults {
  /** Exit code when a tenant could not be discovered (2 or 3): the check is incomplete. */
  failure?: number;
}

/** Asks for the tenant passwords first, so that prompts come before the long work. */
export async function serverCheckPasswords(
  opts: ServerCheckFlags,
  policies: readonly LoadedTenantPolicy[],
): Promise<Map<string, string> | undefined> {
  if (!opts.discover) return undefined;
  return tenantPasswords(accountsToLogIn(policies), opts);
}

export async function runServerChecks(
  opts: ServerCheckFlags,
  ctx: CommandContext,
  snapshot: Snapshot,
  policies: readonly LoadedTenantPolicy[],
  membership: MembershipInput | undefined,
  passwords: Map<string, string> | undefined,
): Promise<ServerChecks> {
  const out: ServerChecks = { findings: [] };
  if (!opts.confirmWithServer && !opts.discover) return out;
  // The audit warns about unresolved policy paths itself; do not say it twice.
  const tenants = resolvePolicies(policies, snapshot, () => undefined);
  const connection = await resolveConnection(opts, ctx.log);
  if (opts.confirmWithServer) {
    info(ctx.emit, `asking ${connection.url} for each tenant account's effective privileges ...`);
    out.confirm = await withSession(connection, ctx.log, async (client) => {
      checkSameServer(snapshot, client);
      return confirmWithServer(client, snapshot, tenants, {
        emit: ctx.emit,
        ...(membership ? { membership } : {}),
        ...(opts.membership !== undefined ? { membershipFile: opts.membership } : {}),
      });
    });
    out.findings.push(...out.confirm.findings);
    const t = out.confirm.confirmation.totals;
    info(
      ctx.emit,
      `vCenter confirmed ${t.agreed} of ${t.entitiesAsked} entity answers; ${t.differs} differ`,
    );
  }
  if (opts.discover) {
    out.seen = await discoverTenants(
      serverSettings(connection),
      snapshot,
      tenants,
      passwords ?? new Map(),
      { emit: ctx.emit, sessionLog: ctx.log, ...(membership ? { membership } : {}) },
    );
    for (const r of out.seen) {
      if (r.status === 'not discovered')
        ctx.log.warn(`tenant ${r.tenant} not discovered: ${r.reason ?? ''}`);
      out.findings.push(...r.findings);
    }
    const code = discoveryExitCode(out.seen);
    if (code > 1) out.failure = code;
  }
  return out;
}
