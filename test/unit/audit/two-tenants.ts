/**
 * A hand-built two-tenant vCenter configured as seed 001 recommends: per-object grants,
 * no propagation. Tests add one mistake at a time and check which rule fires.
 */
import type { Entity } from '../../../src/model/snapshot';
import type { TenantPolicy } from '../../../src/policy/schemas';
import type { GrantKind, ResolvedTenant } from '../../../src/policy/tenant-resolve';
import { ROLE, SnapshotBuilder } from './snapshot-builder';

export const ASR_PRIVILEGES = ['Datastore.Browse', 'VirtualMachine.Config.Rename'];
export const CONTOSO = 'VSPHERE.LOCAL\\asr-contoso';
export const FABRIKAM = 'VSPHERE.LOCAL\\asr-fabrikam';

export function twoTenants() {
  const b = new SnapshotBuilder();
  const dc = b.datacenter('DC0');
  const { cluster, rootPool } = b.cluster(dc, 'C0');
  const host = b.host(cluster, 'H0');
  const ds = b.datastore(dc, 'ds0');
  const net = b.network(dc, 'net0');
  const cFolder = b.folder(dc.vmFolder, 'contoso');
  const fFolder = b.folder(dc.vmFolder, 'fabrikam');
  const c1 = b.vm(cFolder, rootPool, 'contoso-1');
  const c2 = b.vm(cFolder, rootPool, 'contoso-2');
  const f1 = b.vm(fFolder, rootPool, 'fabrikam-1');
  const partner = b.vm(dc.vmFolder, rootPool, 'partner-dns');
  const asr = b.role('Azure_Site_Recovery', ASR_PRIVILEGES);

  const shared: Array<[Entity, GrantKind]> = [
    [dc.dc, 'datacenter'],
    [cluster, 'cluster'],
    [host, 'host'],
    [ds, 'datastore'],
    [net, 'network'],
  ];
  const makeTenant = (
    name: string,
    principal: string,
    vms: Entity[],
    mode: TenantPolicy['mode'] = 'failback',
  ): ResolvedTenant => {
    const roleName = mode === 'failback' ? 'Azure_Site_Recovery' : 'ReadOnly';
    const policy: TenantPolicy = {
      tenant: name,
      mode,
      account: { principal, group: false },
      vcenterReadOnly: true,
      objects: {
        datacenters: [],
        hosts: [],
        datastores: [],
        networks: [],
        managementServers: [],
        vms: { folders: [], names: [], paths: [] },
      },
    };
    return {
      policy,
      file: `policies/tenants/${name}.yaml`,
      principal,
      group: false,
      roleName,
      grants: [
        { entity: b.root, kind: 'vcenter', roleName: 'ReadOnly', source: 'vcenterReadOnly' },
        ...shared.map(([entity, kind]) => ({ entity, kind, roleName, source: `objects.${kind}` })),
        ...vms.map((entity, i) => ({
          entity,
          kind: 'vm' as const,
          roleName,
          source: `objects.vms.paths[${i}]`,
        })),
      ],
      ownedVms: vms,
      notes: [],
      problems: [],
    };
  };
  /** Writes the permissions the tenant's grants call for (what `tenant apply` does). */
  const apply = (t: ResolvedTenant) => {
    for (const g of t.grants) {
      b.permit(g.entity, t.principal, g.roleName === 'ReadOnly' ? ROLE.ReadOnly : asr);
    }
  };
  const contoso = makeTenant('contoso', CONTOSO, [c1, c2]);
  const fabrikam = makeTenant('fabrikam', FABRIKAM, [f1]);
  return {
    b,
    dc,
    cluster,
    rootPool,
    host,
    ds,
    net,
    cFolder,
    fFolder,
    c1,
    c2,
    f1,
    partner,
    asr,
    contoso,
    fabrikam,
    makeTenant,
    apply,
  };
}
