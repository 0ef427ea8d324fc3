import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { omittedTenantFiles } from '../../../src/policy/tenant-policy';

const dir = mkdtempSync(join(tmpdir(), 'drperm-subset-'));
const tenants = join(dir, 'tenants');
mkdirSync(tenants);
for (const t of ['contoso', 'fabrikam', 'northwind'])
  writeFileSync(join(tenants, `${t}.yaml`), 'x');
writeFileSync(join(tenants, 'README.md'), 'not a tenant');

describe('planning a subset of the tenants', () => {
  it('names the tenant files left out and how to include them', async () => {
    expect(await omittedTenantFiles([join(tenants, 'fabrikam.yaml')])).toEqual([
      `2 other tenant file(s) in ${tenants}/ were not given (contoso.yaml, northwind.yaml): conflicts with them (a VM claimed twice, a shared account) are not checked; pass the directory to include every tenant: --tenant ${tenants}/`,
    ]);
  });

  it('says nothing when the directory, or every file, is given', async () => {
    expect(await omittedTenantFiles([tenants])).toEqual([]);
    expect(
      await omittedTenantFiles(
        ['contoso', 'fabrikam', 'northwind'].map((t) => join(tenants, `${t}.yaml`)),
      ),
    ).toEqual([]);
  });
});
