/**
 * `tenant discover` and `audit --discover`: logs in as each tenant's vCenter account (the way
 * the ASR configuration server does), lists what that session discovers, and compares it
 * with the tenant policy (src/audit/seen-as-tenant.ts). One tenant at a time, each session
 * logged out when its discovery ends, fails, or Ctrl-C arrives (withSession).
 */
import { AccessModel, resolveAccess } from '../audit/effective-access';
import { resolvePrincipals, type MembershipInput } from '../audit/principals';
import { notDiscovered, ownersOf, seenAsTenant, type SeenAsTenant } from '../audit/seen-as-tenant';
import type { Inventory } from '../model/inventory';
import type { Snapshot } from '../model/snapshot';
import type { ResolvedTenant } from '../policy/tenant-resolve';
import { registerSecret, type Logger } from '../util/log';
import { discoverInventory } from '../vsphere/discovery';
import { InvalidLoginFault } from '../vsphere/faults';
import { withSession } from '../vsphere/session';
import { debug, type Emit } from './events';
import type { ConnectOptions } from '../vsphere/types';

/** The administrator's connection settings without its credentials: URL and TLS trust. */
export type ServerSettings = Omit<ConnectOptions, 'username' | 'password'>;

export interface DiscoverOptions {
  emit: Emit;
  /** For the tenant sessions: --verbose SOAP logging and the Ctrl-C note. */
  sessionLog: Logger;
  /** For the evidence of foreign VMs: drperm's computation uses the same groups as the audit. */
  membership?: MembershipInput;
  model?: AccessModel;
}

/** Why a tenant could not be discovered: decides the exit code (input 2, server 3). */
export type NotDiscoveredCause = 'group-account' | 'no-password' | 'login-refused';

export interface TenantDiscoveryResult extends SeenAsTenant {
  cause?: NotDiscoveredCause;
}

export async function discoverTenants(
  server: ServerSettings,
  snapshot: Snapshot,
  tenants: readonly ResolvedTenant[],
  passwords: ReadonlyMap<string, string>,
  options: DiscoverOptions,
): Promise<TenantDiscoveryResult[]> {
  const model = options.model ?? new AccessModel(snapshot);
  const inventory: Inventory = model.inventory;
  const owners = ownersOf(tenants);
  const out: TenantDiscoveryResult[] = [];
  for (const tenant of tenants) {
    const name = tenant.policy.tenant;
    if (tenant.group) {
      out.push({
        ...notDiscovered(tenant, 'the account is a group: nobody can log in as a group'),
        cause: 'group-account',
      });
      continue;
    }
    const password = passwords.get(name);
    if (password === undefined) {
      out.push({ ...notDiscovered(tenant, 'no password was given'), cause: 'no-password' });
      continue;
    }
    registerSecret(password);
    const progress = (message: string) =>
      options.emit({ type: 'progress', message: `${name}: ${message}` });
    progress(`discovering as ${tenant.principal}`);
    try {
      const discovery = await withSession(
        { ...server, username: tenant.principal, password },
        options.sessionLog,
        (client) => discoverInventory(client, { progress }),
      ).finally(() => options.emit({ type: 'progress-done' }));
      const principals = resolvePrincipals(tenant.principal, {
        group: false,
        ...(options.membership ? { membership: options.membership } : {}),
      });
      out.push(
        seenAsTenant({
          vcenter: snapshot.vcenter.instanceUuid,
          inventory,
          tenant,
          owners,
          discovery,
          access: { model, resolved: resolveAccess(model, principals) },
        }),
      );
      debug(options.emit, `${name}: ${discovery.objects.length} objects discovered; logged out`);
    } catch (err) {
      if (!(err instanceof InvalidLoginFault)) throw err;
      out.push({
        ...notDiscovered(tenant, `vCenter refused the login of ${tenant.principal} (InvalidLogin)`),
        cause: 'login-refused',
      });
    }
  }
  return out;
}
