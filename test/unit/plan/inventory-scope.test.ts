import { inventoryScope } from '../../../src/plan/inventory-scope';
import { TenantPolicySchema } from '../../../src/policy/schemas';

const policy = (tenant: string, objects: Record<string, unknown>) =>
  TenantPolicySchema.parse({
    tenant,
    mode: 'failback',
    account: { principal: `VSPHERE.LOCAL\\asr-${tenant}` },
    objects,
  });

describe('inventoryScope', () => {
  it('reads the VMs below the named folders and at the named paths (management servers too)', () => {
    const decision = inventoryScope([
      {
        policy: policy('a', {
          datacenters: ['/DC0'],
          managementServers: ['/DC0/vm/a/cs01'],
          vms: { folders: ['/DC0/vm/a'], paths: ['/DC0/vm/x/app'] },
        }),
      },
      { policy: policy('b', { vms: { folders: ['/DC0/vm/b'] } }) },
    ]);
    expect(decision).toEqual({
      full: false,
      scope: {
        vmFolders: ['/DC0/vm/a', '/DC0/vm/b'],
        vmPaths: ['/DC0/vm/x/app', '/DC0/vm/a/cs01'],
      },
    });
  });

  it('collects the whole inventory for a name glob, naming the file and the glob', () => {
    const decision = inventoryScope([
      { policy: policy('a', { vms: { folders: ['/DC0/vm/a'] } }) },
      { policy: policy('b', { vms: { names: ['web-*'] } }), file: 'tenants/b.yaml' },
    ]);
    expect(decision).toEqual({
      full: true,
      reason: 'of name glob "web-*" (tenants/b.yaml objects.vms.names[0]): it can match any VM',
    });
  });
});
