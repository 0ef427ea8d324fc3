/**
 * The two checks `drperm audit` can ask the server for, besides its own computation:
 * `--confirm-with-server` (vCenter's effective privileges for each tenant account, with the
 * administrator's session; src/ops/confirm.ts) and `--discover` (what each tenant account's
 * own session sees; src/ops/discover.ts). Their findings join the audit's before verdicts are
 * made; their sections join the reports.
 */
import type { AuditResult } from '../audit/audit';
import type { ServerConfirmation } from '../audit/server-confirm';
import type { Finding } from '../audit/types';
import type { Snapshot } from '../model/snapshot';
import type { Membership } from '../policy/schemas';
import type { LoadedTenantPolicy } from '../policy/tenant-policy';
import type { ResolvedTenant } from '../policy/tenant-resolve';
import { checkSameServer, confirmWithServer, type ConfirmRun } from '../ops/confirm';
import { discoverTenants, type TenantDiscoveryResult } from '../ops/discover';
import { withSession } from '../vsphere/session';
import { resolveConnection, type ConnectionFlags } from './connection';
import type { CommandContext } from './context';
import { progressLine } from './progress';
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

export interface ServerChecks {
  findings: Finding[];
  confirm?: ConfirmRun;
  seen?: TenantDiscoveryResult[];
  /** Exit code the discovery asks for when a tenant could not be discovered (2 or 3). */
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
  membership: Membership | undefined,
  passwords: Map<string, string> | undefined,
): Promise<ServerChecks> {
  const out: ServerChecks = { findings: [] };
  if (!opts.confirmWithServer && !opts.discover) return out;
  const tenants: ResolvedTenant[] = resolvePolicies(policies, snapshot, {
    ...ctx,
    log: quietWarnings(ctx),
  });
  const connection = await resolveConnection(opts, ctx.log);
  if (opts.confirmWithServer) {
    const progress = progressLine(ctx);
    ctx.log.info(`asking ${connection.url} for each tenant account's effective privileges ...`);
    out.confirm = await withSession(connection, ctx.log, async (client) => {
      checkSameServer(snapshot, client);
      return confirmWithServer(client, snapshot, tenants, {
        log: ctx.log,
        progress: progress.update,
        ...(membership ? { membership } : {}),
        ...(opts.membership !== undefined ? { membershipFile: opts.membership } : {}),
      });
    }).finally(progress.done);
    out.findings.push(...out.confirm.findings);
    const t = out.confirm.confirmation.totals;
    ctx.log.info(
      `vCenter confirmed ${t.agreed} of ${t.entitiesAsked} entity answers; ${t.differs} differ`,
    );
  }
  if (opts.discover) {
    out.seen = await discoverTenants(
      serverSettings(connection),
      snapshot,
      tenants,
      passwords ?? new Map(),
      {
        log: ctx.log,
        ...(membership ? { membership } : {}),
      },
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

/** The audit itself warns about unresolved policy paths; do not say it twice. */
function quietWarnings(ctx: CommandContext): CommandContext['log'] {
  return { ...ctx.log, warn: (m: string) => ctx.log.debug(m) };
}

/**
 * The Effective access rows with "Confirmed by vCenter" filled in, and what vCenter's answer
 * says about groups drperm could not resolve: vCenter expands memberships itself, so where it
 * agrees on every entity those groups give the account nothing drperm did not count.
 */
export function withConfirmation(result: AuditResult, checks: ServerChecks): void {
  const confirm = checks.confirm;
  if (!confirm) return;
  for (const row of result.effectiveAccess) {
    row.confirmedByVcenter = confirm.status(row.tenant, row.entity.moref);
  }
  for (const t of confirm.confirmation.tenants) {
    const unresolved = result.findings.filter(
      (f) => f.rule === 'group-grant-unresolved' && f.tenant === t.tenant,
    ).length;
    if (!t.asked || unresolved === 0) continue;
    result.warnings.push(
      t.differs === 0
        ? `tenant ${t.tenant}: vCenter, which expands group memberships itself, agrees with drperm on all ${t.entitiesAsked} entities: the ${unresolved} group grant(s) drperm could not resolve give the account nothing beyond what drperm computed`
        : `tenant ${t.tenant}: vCenter differs on ${t.differs} entities while ${unresolved} group grant(s) are unresolved: check the memberships given with --membership (server-disagrees findings)`,
    );
  }
}

export function confirmationSection(checks: ServerChecks): ServerConfirmation | undefined {
  return checks.confirm?.confirmation;
}
