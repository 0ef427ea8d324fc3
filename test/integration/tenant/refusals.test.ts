/**
 * Refusals and the modes that change what apply writes, on a private simulator lab:
 * each refusal exits 2 and changes nothing; failover-only assigns Read-only; --prune
 * removes the account's unnamed propagating grant and nothing else.
 */
import { join } from 'node:path';
import { startLab, type OwnLab } from '../../helpers/lab';
import type { VimClient } from '../../../src/vsphere/client';
import {
  CONTOSO,
  TENANTS_DIR,
  cliIn,
  connectClient,
  contosoPolicy,
  ownPermissions,
  scratch,
  tenantObjects,
  writeTenant,
} from './tenant-lab';

let lab: OwnLab;
let client: VimClient;
let cwd: string;
let cli: ReturnType<typeof cliIn>;

beforeAll(async () => {
  lab = await startLab();
  client = await connectClient(lab);
  cwd = scratch();
  cli = cliIn(lab, cwd);
  expect((await cli(['role', 'apply', '--yes'])).code).toBe(0);
}, 120000);

afterAll(async () => {
  await client?.logout();
  await lab?.stop();
});

/** No tenant account holds a permission on any lab tenant object. */
async function expectNothingChanged(): Promise<void> {
  for (const path of [...tenantObjects('contoso'), ...tenantObjects('fabrikam')]) {
    const tenantPerms = (await ownPermissions(client, path)).filter((p) =>
      /asr-/.test(p.principal),
    );
    expect({ path, tenantPerms }).toEqual({ path, tenantPerms: [] });
  }
}

describe('tenant apply refuses and changes nothing when', () => {
  it('a VM is claimed by two tenants selectors', async () => {
    const dir = scratch();
    writeTenant(dir, 'contoso.yaml', contosoPolicy());
    writeTenant(
      dir,
      'fabrikam.yaml',
      contosoPolicy({
        tenant: 'fabrikam',
        account: { principal: 'VSPHERE.LOCAL\\asr-fabrikam' },
        objects: { vms: { folders: ['/DC0/vm/fabrikam'], names: ['*-db01'] } },
      }),
    );
    const r = await cli(['tenant', 'apply', '--tenant', dir, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'refused: VM /DC0/vm/contoso/contoso-db01 is claimed by the selectors of tenants contoso and fabrikam',
    );
    await expectNothingChanged();
  });

  it('two tenants share an account', async () => {
    const dir = scratch();
    writeTenant(dir, 'contoso.yaml', contosoPolicy());
    writeTenant(
      dir,
      'other.yaml',
      contosoPolicy({ tenant: 'other', objects: { vms: { folders: ['/DC0/vm/fabrikam'] } } }),
    );
    const r = await cli(['tenant', 'apply', '--tenant', dir, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`tenants contoso and other share the account ${CONTOSO}`);
    await expectNothingChanged();
  });

  it('a path resolves to nothing: file, field and the nearest existing paths', async () => {
    const dir = scratch();
    const file = writeTenant(
      dir,
      'contoso.yaml',
      contosoPolicy({
        objects: { ...(contosoPolicy().objects as object), networks: ['/DC0/network/DC0_DVPG9'] },
      }),
    );
    const r = await cli(['tenant', 'apply', '--tenant', file, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${file} objects.networks[0]: /DC0/network/DC0_DVPG9 does not exist in the inventory; nearest: /DC0/network/DC0_DVPG0`,
    );
    await expectNothingChanged();
  });

  it('a path resolves to the wrong kind of object', async () => {
    const dir = scratch();
    const file = writeTenant(
      dir,
      'contoso.yaml',
      contosoPolicy({ objects: { hosts: ['/DC0/datastore/StoragePod0'] } }),
    );
    const r = await cli(['tenant', 'plan', '--tenant', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /objects\.hosts\[0\]: \/DC0\/datastore\/StoragePod0 is a StoragePod, expected a cluster/,
    );
  });

  it('several problems at once are all listed', async () => {
    const dir = scratch();
    const file = writeTenant(
      dir,
      'contoso.yaml',
      contosoPolicy({ objects: { datacenters: ['/DC1'], hosts: ['/DC0/vm'] } }),
    );
    const r = await cli(['tenant', 'apply', '--tenant', file, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refused (nothing was changed): 2 problem(s)');
    expect(r.stderr).toMatch(/objects\.datacenters\[0\]: \/DC1 does not exist/);
    expect(r.stderr).toMatch(/objects\.hosts\[0\]: \/DC0\/vm is a Folder/);
  });

  it('the role named by the policy does not exist', async () => {
    const dir = scratch();
    const file = writeTenant(
      dir,
      'contoso.yaml',
      contosoPolicy({ role: 'Azure_Site_Recovery_AVS' }),
    );
    const r = await cli(['tenant', 'apply', '--tenant', file, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/role "Azure_Site_Recovery_AVS" does not exist on the server/);
    expect(r.stderr).toContain('hint: create it first: drperm role apply');
    await expectNothingChanged();
  });

  it('the tenant file itself is invalid (file:line field)', async () => {
    const dir = scratch();
    const file = writeTenant(dir, 'contoso.yaml', contosoPolicy({ mode: 'failover' }));
    const r = await cli(['tenant', 'plan', '--tenant', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.\\/]/g, '\\$&')}:\\d+ mode: `));
  });
});

describe('accounts', () => {
  it('refuses a tenant whose account the user directory does not know, and changes nothing', async () => {
    const dir = scratch();
    const file = writeTenant(
      dir,
      'contoso.yaml',
      contosoPolicy({ account: { principal: 'VSPHERE.LOCAL\\asr-nobody' } }),
    );
    const r = await cli(['tenant', 'apply', '--tenant', file, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('VSPHERE.LOCAL\\asr-nobody');
    await expectNothingChanged();
  });

  it('on plain vcsim, whose directory does not find the logged-in account either, warns that the account cannot be checked', async () => {
    const vcsim = await startLab('lab', { vcsimSemantics: true });
    try {
      const vcsimCli = cliIn(vcsim, scratch());
      expect((await vcsimCli(['role', 'apply', '--yes'])).code).toBe(0);
      const r = await vcsimCli(['tenant', 'plan', '--tenant', join(TENANTS_DIR, 'contoso.yaml')]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(
        `could not check that ${CONTOSO} (tenant contoso) exists: the server's user directory does not find the account drperm is logged in as`,
      );
    } finally {
      await vcsim.stop();
    }
  }, 120000);
});

describe('modes', () => {
  it('failover-only assigns Read-only on every object, not propagated', async () => {
    const dir = scratch();
    const file = writeTenant(dir, 'contoso.yaml', contosoPolicy({ mode: 'failover-only' }));
    const r = await cli(['tenant', 'apply', '--tenant', file, '--yes']);
    expect(r.code).toBe(0);
    for (const path of tenantObjects('contoso')) {
      const mine = (await ownPermissions(client, path)).filter((p) => p.principal === CONTOSO);
      expect({ path, mine }).toEqual({
        path,
        mine: [{ principal: CONTOSO, group: false, role: 'ReadOnly', propagate: false }],
      });
    }
  });

  it('--prune removes the account propagating grant the policy does not name, and only that', async () => {
    // A propagating grant on the fabrikam folder would let contoso see fabrikam's VMs.
    const folder = (await client.findByInventoryPath('DC0/vm/fabrikam'))!;
    const existing = await client.retrieveEntityPermissions(folder, false);
    const leak = { principal: CONTOSO, group: false, roleId: -2, propagate: true };
    await client.setEntityPermissions(folder, [...existing, leak]);
    const othersBefore = (await ownPermissions(client, '/DC0/vm/fabrikam')).filter(
      (p) => p.principal !== CONTOSO,
    );

    const file = writeTenant(scratch(), 'contoso.yaml', contosoPolicy({ mode: 'failover-only' }));
    const plan = await cli(['tenant', 'plan', '--tenant', file]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(
      /keep \(risk\)\s+\/DC0\/vm\/fabrikam\s+ReadOnly, propagating\s+not named by the policy, and it propagates to 3 VM\(s\) this tenant does not own/,
    );
    expect(plan.stdout).toContain('pass --prune to remove them');

    const noPrune = await cli(['tenant', 'apply', '--tenant', file, '--yes']);
    expect(noPrune.stderr).toContain('nothing to change');
    expect(
      (await ownPermissions(client, '/DC0/vm/fabrikam')).some((p) => p.principal === CONTOSO),
    ).toBe(true);

    const prune = await cli(['tenant', 'apply', '--tenant', file, '--yes', '--prune']);
    expect(prune.code).toBe(0);
    expect(prune.stdout).toMatch(/1 done and verified/);
    expect(await ownPermissions(client, '/DC0/vm/fabrikam')).toEqual(othersBefore);
    expect((await cli(['tenant', 'verify', '--tenant', file])).code).toBe(0);
  });
});
