/** Shared pieces of the tenant integration tests: a private lab, the CLI on it, and independent read-back. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { connectLab, type OwnLab } from '../../helpers/lab';
import { labEnv } from '../../helpers/lab-info';
import { runCli, type CliResult } from '../../helpers/run-cli';
import { collectSnapshot } from '../../../src/vsphere/collect';
import type { MoRef } from '../../../src/vsphere/types';
import { silentLogger } from '../../../src/util/log';
import type { VimClient } from '../../../src/vsphere/client';

export const REPO = join(__dirname, '..', '..', '..');
export const TENANTS_DIR = join(REPO, 'policies', 'tenants');
export const CONTOSO = 'VSPHERE.LOCAL\\asr-contoso';
export const FABRIKAM = 'VSPHERE.LOCAL\\asr-fabrikam';

export const connectClient = connectLab;

/** Runs drperm in a scratch directory (backups land in its reports/backups). */
export function cliIn(lab: OwnLab, cwd: string) {
  return (args: string[]): Promise<CliResult> => runCli(args, { env: labEnv(lab), cwd });
}

export function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'drperm-tenant-it-'));
}

/** Writes a tenant file (contoso's lab policy with overrides) and returns its path. */
export function writeTenant(dir: string, file: string, policy: Record<string, unknown>): string {
  const path = join(dir, file);
  writeFileSync(path, stringify(policy));
  return path;
}

export function contosoPolicy(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tenant: 'contoso',
    mode: 'failback',
    account: { principal: CONTOSO, group: false },
    objects: {
      datacenters: ['/DC0'],
      hosts: ['/DC0/host/DC0_C0'],
      datastores: ['/DC0/datastore/StoragePod0'],
      networks: ['/DC0/network/DC0_DVPG0'],
      managementServers: ['/DC0/vm/contoso/contoso-cs01'],
      vms: { folders: ['/DC0/vm/contoso'] },
    },
    ...overrides,
  };
}

export interface OwnPermission {
  principal: string;
  group: boolean;
  role: string;
  propagate: boolean;
}

/**
 * The object at `path`, from a collection of the inventory (the simulator's SearchIndex
 * does not look inside datastore clusters). Re-collected when a path is not known yet.
 */
let pathIndex: Map<string, MoRef> | undefined;
async function refOf(client: VimClient, path: string): Promise<MoRef> {
  for (let attempt = 0; attempt < 2; attempt++) {
    if (!pathIndex || attempt > 0) {
      const snapshot = await collectSnapshot(client, { log: silentLogger });
      pathIndex = new Map(snapshot.entities.map((e) => [e.path, { type: e.type, value: e.ref }]));
    }
    const ref = pathIndex.get(path);
    if (ref) return ref;
  }
  throw new Error(`no object at ${path}`);
}

/** The permissions defined on the object at `path`, read independently of drperm's engine, sorted. */
export async function ownPermissions(client: VimClient, path: string): Promise<OwnPermission[]> {
  const ref = await refOf(client, path);
  const roles = await client.roleList();
  const list = await client.retrieveEntityPermissions(ref, false);
  return list
    .map((p) => ({
      principal: p.principal,
      group: p.group,
      role: roles.find((r) => r.roleId === p.roleId)?.name ?? String(p.roleId),
      propagate: p.propagate,
    }))
    .sort((a, b) => a.principal.localeCompare(b.principal));
}

/** Every object a lab tenant's policy names (contoso's, or fabrikam's with its own VMs). */
export function tenantObjects(tenant: 'contoso' | 'fabrikam'): string[] {
  const vms =
    tenant === 'contoso'
      ? ['contoso-cs01', 'contoso-app01', 'contoso-db01', '=contoso&<legacy>']
      : ['fabrikam-cs01', 'fabrikam-web01', 'fabrikam-db01'];
  return [
    '/',
    '/DC0',
    '/DC0/host/DC0_C0',
    '/DC0/host/DC0_C0/DC0_C0_H0',
    '/DC0/host/DC0_C0/DC0_C0_H1',
    '/DC0/host/DC0_C0/DC0_C0_H2',
    '/DC0/datastore/StoragePod0',
    '/DC0/datastore/StoragePod0/LocalDS_1',
    '/DC0/datastore/StoragePod0/LocalDS_2',
    '/DC0/network/DC0_DVPG0',
    ...vms.map((v) => `/DC0/vm/${tenant}/${v}`),
  ];
}
