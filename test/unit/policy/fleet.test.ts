import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assignTenants,
  fleetServer,
  loadFleet,
  pickVcenters,
  type LoadedFleet,
} from '../../../src/policy/fleet';
import { FLEET_SCHEMA_FILE, renderFleetJsonSchema } from '../../../src/policy/fleet-json-schema';
import { loadTenantPolicies } from '../../../src/policy/tenant-policy';
import { InputError } from '../../../src/util/errors';

const REPO = join(__dirname, '..', '..', '..');

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'drperm-fleet-'));
}

function fleetFile(text: string): string {
  const file = join(dir(), 'drperm.yaml');
  writeFileSync(file, text);
  return file;
}

async function errorOf(load: () => Promise<unknown>): Promise<InputError> {
  try {
    await load();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('no error');
}

const TWO = [
  'vcenters:',
  '  - name: vc-dedicated',
  '    url: https://vc1.example.net/sdk',
  '    passwordEnv: VC1_PASSWORD',
  '  - name: vc-shared',
  '    url: vc2.example.net',
  '    username: audit@vsphere.local',
  '    thumbprint: AA:BB',
  'nsxManagers:',
  '  - name: nsx-shared',
  '    url: https://nsx2.example.net',
  '    vcenter: vc-shared',
  'defaults:',
  '  username: administrator@vsphere.local',
  '  concurrency: 2',
  '',
].join('\n');

function tenantYaml(name: string, vcenter?: string | string[]): string {
  const lines = [`tenant: ${name}`, 'mode: failback'];
  if (typeof vcenter === 'string') lines.push(`vcenter: ${vcenter}`);
  if (Array.isArray(vcenter)) lines.push('vcenter:', ...vcenter.map((v) => `  - ${v}`));
  lines.push(
    'account:',
    `  principal: VSPHERE.LOCAL\\asr-${name}`,
    'objects:',
    '  vms:',
    `    folders: [/DC0/vm/${name}]`,
    '',
  );
  return lines.join('\n');
}

describe('fleet file', () => {
  it('loads vCenters and NSX Managers, and applies the defaults to each server', async () => {
    const { fleet } = await loadFleet(fleetFile(TWO));
    expect(fleet.vcenters.map((v) => v.name)).toEqual(['vc-dedicated', 'vc-shared']);
    expect(fleet.nsxManagers[0]!.vcenter).toBe('vc-shared');
    expect(fleetServer(fleet, fleet.vcenters[0]!)).toEqual({
      name: 'vc-dedicated',
      url: 'https://vc1.example.net/sdk',
      username: 'administrator@vsphere.local',
      passwordEnv: 'VC1_PASSWORD',
    });
    // The server's own username wins over the default.
    expect(fleetServer(fleet, fleet.vcenters[1]!).username).toBe('audit@vsphere.local');
  });

  it('refuses a password in the file, at its line', async () => {
    const text = TWO.replace('    passwordEnv: VC1_PASSWORD', '    password: s3cret');
    const err = await errorOf(() => loadFleet(fleetFile(text)));
    expect(err.message).toMatch(
      /drperm\.yaml:4 vcenters\[0\]\.password: passwords never go in the fleet file/,
    );
    expect(err.message).not.toContain('s3cret');
  });

  it('names a misspelt field, its line and the nearest known field', async () => {
    const err = await errorOf(() =>
      loadFleet(fleetFile(TWO.replace('passwordEnv: VC1', 'paswordEnv: VC1'))),
    );
    expect(err.message).toMatch(
      /drperm\.yaml:4 vcenters\[0\]\.paswordEnv: unknown field "paswordEnv"; did you mean "passwordEnv"\?/,
    );
  });

  it('refuses two vCenters of one name, and an NSX Manager naming an unknown vCenter', async () => {
    const dup = await errorOf(() =>
      loadFleet(fleetFile(TWO.replace('name: vc-shared', 'name: VC-Dedicated'))),
    );
    expect(dup.message).toMatch(
      /drperm\.yaml:5 vcenters\[1\]\.name: "VC-Dedicated" is already the name of vcenters\[0\]/,
    );
    const nsx = await errorOf(() =>
      loadFleet(fleetFile(TWO.replace('vcenter: vc-shared', 'vcenter: vc-shraed'))),
    );
    expect(nsx.message).toMatch(
      /drperm\.yaml:12 nsxManagers\[0\]\.vcenter: no vCenter "vc-shraed" in the fleet file; did you mean "vc-shared"\?/,
    );
  });

  it('needs at least one vCenter and a valid environment variable name', async () => {
    expect((await errorOf(() => loadFleet(fleetFile('vcenters: []\n')))).message).toMatch(
      /vcenters: name at least one vCenter/,
    );
    const err = await errorOf(() =>
      loadFleet(fleetFile(TWO.replace('VC1_PASSWORD', 'VC1-PASSWORD'))),
    );
    expect(err.message).toMatch(/:4 vcenters\[0\]\.passwordEnv: an environment variable name/);
  });

  it('picks vCenters by name, suggesting the nearest for a typo', async () => {
    const { fleet } = await loadFleet(fleetFile(TWO));
    expect(pickVcenters(fleet, ['vc-shared']).map((v) => v.name)).toEqual(['vc-shared']);
    expect(pickVcenters(fleet, undefined)).toHaveLength(2);
    expect(() => pickVcenters(fleet, ['vc-share'])).toThrow(/did you mean "vc-shared"/);
  });

  it('is described by the committed JSON schema (run `npm run schema` after changing it)', () => {
    const committed: unknown = JSON.parse(readFileSync(join(REPO, FLEET_SCHEMA_FILE), 'utf8'));
    expect(committed).toEqual(JSON.parse(renderFleetJsonSchema()));
    const schema = committed as {
      required: string[];
      properties: { vcenters: { items: { properties: Record<string, { description?: string }> } } };
    };
    expect(schema.required).toEqual(['vcenters']);
    expect(schema.properties.vcenters.items.properties.passwordEnv!.description).toMatch(
      /never go in this file/,
    );
  });
});

describe('tenants on the vCenters of a fleet', () => {
  let fleet: LoadedFleet;
  beforeAll(async () => {
    fleet = await loadFleet(fleetFile(TWO));
  });
  const names = () => fleet.fleet.vcenters.map((v) => v.name);

  async function tenants(files: Record<string, string>) {
    const d = dir();
    for (const [name, text] of Object.entries(files)) writeFileSync(join(d, `${name}.yaml`), text);
    return loadTenantPolicies([d]);
  }

  it('puts each tenant on the vCenters it names (one name or a list)', async () => {
    const loaded = await tenants({
      ded: tenantYaml('ded', 'vc-dedicated'),
      both: tenantYaml('both', ['vc-dedicated', 'vc-shared']),
      contoso: tenantYaml('contoso', 'vc-shared'),
    });
    const by = assignTenants(names(), loaded);
    expect(by.get('vc-dedicated')!.map((t) => t.policy.tenant)).toEqual(['both', 'ded']);
    expect(by.get('vc-shared')!.map((t) => t.policy.tenant)).toEqual(['both', 'contoso']);
  });

  it('refuses a tenant without vcenter: when there are several, naming the file and line', async () => {
    const loaded = await tenants({ contoso: tenantYaml('contoso') });
    expect(() => assignTenants(names(), loaded)).toThrow(
      /contoso\.yaml:1 tenant: tenant "contoso" names no vCenter, and the fleet has 2 \(vc-dedicated, vc-shared\)/,
    );
  });

  it('puts a tenant without vcenter: on the only vCenter', async () => {
    const loaded = await tenants({ contoso: tenantYaml('contoso') });
    expect(assignTenants(['vc-only'], loaded).get('vc-only')!).toHaveLength(1);
  });

  it('names an unknown vCenter with the nearest one and its line in a list', async () => {
    const loaded = await tenants({ both: tenantYaml('both', ['vc-dedicated', 'vc-shard']) });
    expect(() => assignTenants(names(), loaded)).toThrow(
      /both\.yaml:5 vcenter\[1\]: no vCenter "vc-shard" in the fleet file; did you mean "vc-shared"\?/,
    );
  });
});
