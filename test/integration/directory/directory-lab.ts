/** Shared pieces of the directory integration tests: tenant files, planting a grant, reading reports. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditReport } from '../../../src/audit/report-model';
import { collectSnapshot } from '../../../src/vsphere/collect';
import { silentLogger } from '../../../src/util/log';
import { connectLab, type OwnLab } from '../../helpers/lab';
import { contosoPolicy, writeTenant } from '../tenant/tenant-lab';

/** vCenter's built-in Read-only role. */
export const READ_ONLY_ROLE_ID = -2;

export function readReport(dir: string): AuditReport {
  const file = readdirSync(dir).find((f) => f.endsWith('.json'))!;
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as AuditReport;
}

/** Every report file's text, to check that nothing secret was written. */
export function reportTexts(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') || f.endsWith('.md'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

export function fabrikamPolicy(principal: string, group = false): Record<string, unknown> {
  return contosoPolicy({
    tenant: 'fabrikam',
    account: { principal, group },
    objects: {
      datacenters: ['/DC0'],
      hosts: ['/DC0/host/DC0_C0'],
      datastores: ['/DC0/datastore/StoragePod0'],
      networks: ['/DC0/network/DC0_DVPG0'],
      managementServers: ['/DC0/vm/fabrikam/fabrikam-cs01'],
      vms: { folders: ['/DC0/vm/fabrikam'] },
    },
  });
}

/** Tenant files for contoso and fabrikam with the given accounts; returns their directory. */
export function writeTenants(
  dir: string,
  contoso: { principal: string; group: boolean },
  fabrikam: { principal: string; group: boolean },
): string {
  writeTenant(dir, 'contoso.yaml', contosoPolicy({ account: contoso }));
  writeTenant(dir, 'fabrikam.yaml', fabrikamPolicy(fabrikam.principal, fabrikam.group));
  return dir;
}

/**
 * Adds a group permission on an inventory path through SetEntityPermissions. The other
 * principals' permissions there are sent back unchanged: a simulator that replaces the list
 * keeps them, a vCenter that adds or updates per principal is unaffected.
 */
export async function grantGroup(lab: OwnLab, path: string, group: string, roleId: number) {
  const client = await connectLab(lab);
  try {
    const snapshot = await collectSnapshot(client, { log: silentLogger });
    const entity = snapshot.entities.find((e) => e.path === path)!;
    const ref = { type: entity.type, value: entity.ref };
    const others = (await client.retrieveEntityPermissions(ref, false)).filter(
      (p) => p.principal !== group,
    );
    await client.setEntityPermissions(ref, [
      ...others,
      { principal: group, group: true, roleId, propagate: true },
    ]);
  } finally {
    await client.logout();
  }
}
