import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTenantPolicies } from '../../../src/policy/tenant-policy';
import {
  renderTenantPolicyJsonSchema,
  TENANT_SCHEMA_FILE,
} from '../../../src/policy/tenant-json-schema';
import { InputError } from '../../../src/util/errors';

const REPO = join(__dirname, '..', '..', '..');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'drperm-tenant-'));
}

function tenantYaml(name: string, principal = `VSPHERE.LOCAL\\asr-${name}`): string {
  return [
    `tenant: ${name}`,
    'mode: failback',
    'account:',
    `  principal: '${principal}'`,
    'objects:',
    '  datacenters: [/DC0]',
    '',
  ].join('\n');
}

async function loadError(paths: string[]): Promise<InputError> {
  try {
    await loadTenantPolicies(paths);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('loadTenantPolicies', () => {
  it('loads the shipped lab tenants from their directory, sorted by file name', async () => {
    const loaded = await loadTenantPolicies([join(REPO, 'policies', 'tenants')]);
    expect(loaded.map((t) => t.policy.tenant)).toEqual(['contoso', 'fabrikam']);
    const contoso = loaded[0]!.policy;
    expect(contoso.account).toEqual({ principal: 'VSPHERE.LOCAL\\asr-contoso', group: false });
    expect(contoso.objects.managementServers).toEqual(['/DC0/vm/contoso/contoso-cs01']);
    expect(loaded[0]!.file).toBe(join(REPO, 'policies', 'tenants', 'contoso.yaml'));
  });

  it('takes files and directories together, each file once', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.yaml'), tenantYaml('alpha'));
    writeFileSync(join(dir, 'b.yml'), tenantYaml('beta'));
    writeFileSync(join(dir, 'notes.txt'), 'not a policy');
    const loaded = await loadTenantPolicies([join(dir, 'b.yml'), dir]);
    expect(loaded.map((t) => t.policy.tenant)).toEqual(['beta', 'alpha']);
  });

  it('names file, line and field of a schema error', async () => {
    const dir = tmp();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, tenantYaml('alpha').replace('datacenters: [/DC0]', 'datacenters: [DC0]'));
    const err = await loadError([file]);
    expect(err.message).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:6 objects\\.datacenters\\[0\\]: inventory paths start with "/"`,
      ),
    );
    expect(err.location).toEqual({ file, line: 6, field: 'objects.datacenters[0]' });
  });

  it('refuses an unknown field with its line', async () => {
    const dir = tmp();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, tenantYaml('alpha') + 'propagate: true\n');
    const err = await loadError([file]);
    expect(err.message).toContain(`${file}:7 propagate: unknown field "propagate"`);
    // Nothing in a tenant file is spelt like it: no misleading suggestion.
    expect(err.message).not.toMatch(/did you mean/);
  });

  it('refuses two files defining the same tenant, naming both', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'one.yaml'), tenantYaml('alpha'));
    writeFileSync(join(dir, 'two.yaml'), tenantYaml('Alpha', 'VSPHERE.LOCAL\\other'));
    const err = await loadError([dir]);
    expect(err.message).toBe(
      `${join(dir, 'two.yaml')}:1 tenant: tenant "Alpha" is already defined in ${join(dir, 'one.yaml')}:1; one file per tenant`,
    );
  });

  it('rewrites a UPN principal to DOMAIN\\name and refuses a bare name', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'upn.yaml'), tenantYaml('alpha', 'asr-alpha@vsphere.local'));
    const [t] = await loadTenantPolicies([join(dir, 'upn.yaml')]);
    expect(t!.policy.account.principal).toBe('VSPHERE.LOCAL\\asr-alpha');

    writeFileSync(join(dir, 'bare.yaml'), tenantYaml('beta', 'asr-beta'));
    const err = await loadError([join(dir, 'bare.yaml')]);
    expect(err.message).toMatch(
      /bare\.yaml:4 account\.principal: "asr-beta" is not a vCenter principal; write it as DOMAIN\\name/,
    );
  });

  it('reports a missing path and an empty directory', async () => {
    const dir = tmp();
    expect((await loadError([join(dir, 'nope.yaml')])).message).toMatch(/cannot read .*nope\.yaml/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect((await loadError([empty])).message).toContain('no tenant files');
    expect((await loadError([])).hint).toContain('--tenant');
  });
});

describe('policies/tenant.schema.json', () => {
  it('is the schema generated from the zod schema (run `npm run schema` after changing it)', () => {
    // Compared as data: the committed file is formatted by Prettier.
    const committed: unknown = JSON.parse(readFileSync(join(REPO, TENANT_SCHEMA_FILE), 'utf8'));
    expect(committed).toEqual(JSON.parse(renderTenantPolicyJsonSchema()));
  });

  it('documents the fields and makes defaulted fields optional', () => {
    const schema = JSON.parse(renderTenantPolicyJsonSchema()) as {
      required: string[];
      properties: Record<string, { description?: string }>;
    };
    expect(schema.required.sort()).toEqual(['account', 'mode', 'objects', 'tenant']);
    expect(schema.properties.mode!.description).toMatch(/failover-only/);
  });
});
