/**
 * `tenant discover` and `audit --discover`: the guide's final check ("verify that only the
 * tenant's VMs are displayed in Replicate > Select virtual machines") done as each tenant's
 * own account. The administrator's collection resolves the policies; each tenant account
 * then logs in with the same URL and TLS settings (src/ops/discover.ts).
 */
import { Inventory } from '../model/inventory';
import type { Snapshot } from '../model/snapshot';
import type { LoadedTenantPolicy } from '../policy/tenant-policy';
import { resolveTenant, type ResolvedTenant } from '../policy/tenant-resolve';
import { ExitCode } from '../util/errors';
import type { Logger } from '../util/log';
import { withSession } from '../vsphere/session';
import type { ConnectOptions } from '../vsphere/types';
import { discoverTenants, type ServerSettings, type TenantDiscoveryResult } from './discover';
import { warn, type Emit } from './events';
import { collectSnapshot } from './snapshot';

/** Tenants whose account is a user (a group cannot log in). */
export function accountsToLogIn(
  policies: readonly LoadedTenantPolicy[],
): Array<{ tenant: string; principal: string }> {
  return policies
    .filter((p) => !p.policy.account.group)
    .map((p) => ({ tenant: p.policy.tenant, principal: p.policy.account.principal }));
}

/** The policies resolved against the snapshot; `warn` hears each path that did not resolve. */
export function resolvePolicies(
  policies: readonly LoadedTenantPolicy[],
  snapshot: Snapshot,
  warnProblem: (message: string) => void,
): ResolvedTenant[] {
  const inventory = new Inventory(snapshot.entities, snapshot.rootFolder);
  const resolved = policies.map((p) => resolveTenant(p.policy, inventory, p.file));
  for (const t of resolved) {
    for (const p of t.problems) warnProblem(`tenant ${t.policy.tenant}: ${p.field}: ${p.message}`);
  }
  return resolved;
}

/** URL and TLS trust of the administrator's connection; the tenants bring their own credentials. */
export function serverSettings(connection: ConnectOptions): ServerSettings {
  const { username: _u, password: _p, ...rest } = connection;
  return rest;
}

/** 3 when a login was refused, 2 when a tenant could not be asked, 1 on findings, else 0. */
export function discoveryExitCode(results: readonly TenantDiscoveryResult[]): ExitCode {
  if (results.some((r) => r.cause === 'login-refused')) return ExitCode.Server;
  if (results.some((r) => r.cause !== undefined)) return ExitCode.Usage;
  if (results.some((r) => r.findings.length > 0)) return ExitCode.Findings;
  return ExitCode.Ok;
}

export interface LiveDiscovery {
  results: TenantDiscoveryResult[];
  exitCode: ExitCode;
}

/** `tenant discover`: collect as the administrator, resolve the policies, log in as each tenant. */
export async function discoverLive(
  connection: ConnectOptions,
  policies: readonly LoadedTenantPolicy[],
  passwords: ReadonlyMap<string, string>,
  sessionLog: Logger,
  emit: Emit,
): Promise<LiveDiscovery> {
  const snapshot = await withSession(connection, sessionLog, (client) =>
    collectSnapshot(client, emit),
  );
  const tenants = resolvePolicies(policies, snapshot, (m) => warn(emit, m));
  const results = await discoverTenants(serverSettings(connection), snapshot, tenants, passwords, {
    emit,
    sessionLog,
  });
  return { results, exitCode: discoveryExitCode(results) };
}
