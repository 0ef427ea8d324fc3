import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  catalogueFromPolicies,
  defaultBaselinePolicyPath,
  defaultRolePolicyPath,
  loadBaselinePolicy,
  loadRolePolicy,
  packageRoot,
  resolveBaselinePrivileges,
  resolveRolePrivileges,
} from '../../../src/policy/role-policy';
import { parseYamlSource } from '../../../src/policy/yaml-file';
import { InputError } from '../../../src/util/errors';
import { catalogue, privilege, VM_CONFIG_67, VM_CONFIG_8X } from './catalogue-fixture';

const dir = mkdtempSync(join(tmpdir(), 'drperm-role-policy-'));
function writePolicy(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function loadError(load: () => Promise<unknown>): Promise<InputError> {
  const err = await load().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe('shipped policy files', () => {
  it('are found from the package root', () => {
    expect(defaultRolePolicyPath()).toBe(
      join(packageRoot(), 'policies', 'roles', 'azure-site-recovery.yaml'),
    );
    expect(defaultBaselinePolicyPath()).toBe(
      join(packageRoot(), 'policies', 'baselines', 'avs-cloudadmin.yaml'),
    );
  });

  it('load and validate: the ASR role of seed 001 and the CloudAdmin baseline of seed 003', async () => {
    const { policy: role } = await loadRolePolicy();
    expect(role.name).toBe('Azure_Site_Recovery');
    expect(role.avsName).toBe('Azure_Site_Recovery_AVS');
    expect(role.source).toMatch(/seed 001/);
    expect(role.privileges.map((p) => p.id)).toContain('VirtualMachine.Config.*');
    // Every entry that is not implicit says what it is for (shown when --avs drops it).
    for (const p of role.privileges.filter((e) => !e.id.startsWith('System.'))) {
      expect(p.purpose).toEqual(expect.any(String));
    }
    const { policy: baseline } = await loadBaselinePolicy();
    expect(baseline.name).toBe('CloudAdmin');
    const ids = baseline.privileges.map((p) => p.id);
    expect(ids).toContain('Datastore.UpdateVirtualMachineMetadata');
    expect(ids).not.toContain('Task.Create');
    // 8.x-only content library IDs are marked, so a 6.7-era server skips them.
    const addCert = baseline.privileges.find((p) => p.id === 'ContentLibrary.AddCertToTrustStore');
    expect(addCert?.versionDependent).toBe(true);
  });
});

describe('loadRolePolicy errors', () => {
  it('names file, line and field for a schema error', async () => {
    const file = writePolicy(
      'bad-field.yaml',
      [
        'kind: role',
        'name: R',
        'privileges:',
        '  - id: Datastore.Browse',
        '    lable: Browse',
        '',
      ].join('\n'),
    );
    const err = await loadError(() => loadRolePolicy(file));
    // The label is missing (misspelt "lable"): the error points at the entry's line.
    expect(err.message).toContain(`${file}:4 privileges[0].label`);
    expect(err.message).toMatch(/and 1 more problem/);
    expect(err.location).toEqual({ file, line: 4, field: 'privileges[0].label' });
  });

  it('rejects a malformed privilege ID at its line', async () => {
    const file = writePolicy(
      'bad-id.yaml',
      ['kind: role', 'name: R', 'privileges:', '  - id: Data store', '    label: x', ''].join('\n'),
    );
    const err = await loadError(() => loadRolePolicy(file));
    expect(err.message).toMatch(new RegExp(`${file}:4 privileges\\[0\\]\\.id: not a privilege id`));
  });

  it('rejects the same ID listed twice, naming the second occurrence', async () => {
    const file = writePolicy(
      'dup.yaml',
      [
        'kind: role',
        'name: R',
        'privileges:',
        '  - id: Task.Create',
        '    label: a',
        '  - id: Task.Create',
        '    label: b',
        '',
      ].join('\n'),
    );
    const err = await loadError(() => loadRolePolicy(file));
    expect(err.message).toContain(`${file}:6 privileges[1].id`);
    expect(err.message).toContain('listed twice');
  });

  it('rejects a baseline file passed as a role', async () => {
    const err = await loadError(() => loadRolePolicy(defaultBaselinePolicyPath()));
    expect(err.message).toMatch(/avs-cloudadmin\.yaml:\d+ kind/);
  });

  it('reports a missing file as an input error', async () => {
    const err = await loadError(() => loadRolePolicy(join(dir, 'absent.yaml')));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('absent.yaml');
  });
});

describe('resolveRolePrivileges', () => {
  const text = [
    'kind: role',
    'name: R',
    'privileges:',
    '  - id: System.Read',
    '    label: implicit',
    '  - id: Task.Create',
    '    label: Tasks > Create task',
    '    purpose: report progress',
    '  - id: VirtualMachine.Config.*',
    "    label: 'VM - Configuration: All'",
    '    purpose: reconfigure VMs',
    '  - id: VirtualMachine.Config.Unlock',
    '    label: Unlock virtual machine',
    '    purpose: decrypt VMs',
    '    versionDependent: true',
    '',
  ].join('\n');

  function policyFrom(yamlText: string, file = 'role.yaml') {
    const source = parseYamlSource(file, yamlText);
    return { policy: source.doc.toJS() as Parameters<typeof resolveRolePrivileges>[0], source };
  }

  it('expands a wildcard from the catalogue it is given', () => {
    const { policy, source } = policyFrom(text);
    const cat = catalogue(['System.Read', 'Task.Create', 'Task.Update', ...VM_CONFIG_67]);
    const r = resolveRolePrivileges(policy, cat, source);
    expect(r.expanded).toEqual([
      { pattern: 'VirtualMachine.Config.*', ids: [...VM_CONFIG_67].sort() },
    ]);
    expect(r.privileges).toEqual(['System.Read', 'Task.Create', ...VM_CONFIG_67].sort());
    expect(r.privileges).not.toContain('Task.Update');
    expect(r.skipped).toEqual([]);
  });

  it('follows the server: a smaller catalogue gives a smaller expansion and skips version-dependent entries', () => {
    const { policy, source } = policyFrom(text);
    const cat = catalogue(['System.Read', 'Task.Create', ...VM_CONFIG_8X]);
    const r = resolveRolePrivileges(policy, cat, source);
    expect(r.expanded[0]!.ids).toHaveLength(VM_CONFIG_8X.length);
    expect(r.privileges).not.toContain('VirtualMachine.Config.Unlock');
    expect(r.skipped).toEqual([
      { id: 'VirtualMachine.Config.Unlock', reason: expect.stringMatching(/version-dependent/) },
    ]);
  });

  it('gives explicit entries their own purpose, and wildcard members the wildcard purpose', () => {
    const { policy, source } = policyFrom(text);
    const cat = [
      privilege('System.Read'),
      privilege('Task.Create'),
      ...VM_CONFIG_67.map((id) =>
        privilege(id, id === 'VirtualMachine.Config.Rename' ? 'Rename' : undefined),
      ),
    ];
    const r = resolveRolePrivileges(policy, cat, source);
    const byId = new Map(r.details.map((d) => [d.id, d]));
    expect(byId.get('VirtualMachine.Config.Unlock')).toEqual({
      id: 'VirtualMachine.Config.Unlock',
      label: 'Unlock virtual machine',
      purpose: 'decrypt VMs',
    });
    expect(byId.get('VirtualMachine.Config.Rename')).toMatchObject({
      label: 'Rename',
      purpose: 'reconfigure VMs',
      pattern: 'VirtualMachine.Config.*',
    });
    expect(byId.get('VirtualMachine.Config.Memory')!.label).toContain('VM - Configuration: All');
  });

  it('rejects an unknown ID with file, line, field and the nearest known IDs', () => {
    const { policy, source } = policyFrom(
      [
        'kind: role',
        'name: R',
        'privileges:',
        '  - id: Task.Create',
        '    label: a',
        '  - id: Datastore.Browze',
        '    label: b',
        '',
      ].join('\n'),
      'policies/roles/mine.yaml',
    );
    const cat = catalogue([
      'Task.Create',
      'Datastore.Browse',
      'Datastore.DeleteFile',
      'Network.Assign',
    ]);
    let err: unknown;
    try {
      resolveRolePrivileges(policy, cat, source);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const e = err as InputError;
    expect(e.message).toContain('policies/roles/mine.yaml:6 privileges[1].id');
    expect(e.message).toMatch(/nearest: Datastore\.Browse,/);
    expect(e.location).toEqual({
      file: 'policies/roles/mine.yaml',
      line: 6,
      field: 'privileges[1].id',
    });
  });

  it('rejects a wildcard that matches nothing, suggesting existing groups', () => {
    const { policy, source } = policyFrom(
      [
        'kind: role',
        'name: R',
        'privileges:',
        '  - id: VirtualMachine.Confg.*',
        '    label: a',
        '',
      ].join('\n'),
    );
    expect(() => resolveRolePrivileges(policy, catalogue(VM_CONFIG_67), source)).toThrow(
      /role\.yaml:4 privileges\[0\]\.id: "VirtualMachine\.Confg\.\*" matches no privilege.*nearest: VirtualMachine\.Config\.\*/,
    );
  });

  it('names the field even without a source file', () => {
    const policy = { privileges: [{ id: 'Task.Creat', label: 'x' }] };
    expect(() => resolveRolePrivileges(policy, catalogue(['Task.Create']))).toThrow(
      /privileges\[0\]\.id: "Task\.Creat" .*nearest: Task\.Create/,
    );
  });
});

describe('resolveBaselinePrivileges', () => {
  it('skips documented IDs this server does not define, with the nearest IDs, instead of failing', () => {
    const baseline = {
      privileges: [
        { id: 'Folder.Create', label: 'Folder > Create folder' },
        { id: 'ContentLibrary.AddLibraryItem', label: 'Content Library > Add library item' },
        { id: 'Folder.Delte', label: 'typo' },
      ],
    };
    const r = resolveBaselinePrivileges(baseline, catalogue(['Folder.Create', 'Folder.Delete']));
    expect(r.privileges).toEqual(['Folder.Create']);
    expect(r.skipped).toEqual([
      {
        id: 'ContentLibrary.AddLibraryItem',
        reason: expect.stringMatching(/^is not defined by this server/),
      },
      { id: 'Folder.Delte', reason: expect.stringMatching(/nearest: Folder\.Delete/) },
    ]);
  });

  it('is strict for the same entries when resolving a role', () => {
    const policy = { privileges: [{ id: 'ContentLibrary.AddLibraryItem', label: 'x' }] };
    expect(() => resolveRolePrivileges(policy, catalogue(['Folder.Create']))).toThrow(InputError);
  });
});

describe('catalogueFromPolicies', () => {
  it('collects the concrete IDs the files name, so wildcards expand to what the baseline lists', async () => {
    const { policy: role } = await loadRolePolicy();
    const { policy: baseline } = await loadBaselinePolicy();
    const cat = catalogueFromPolicies(role, baseline);
    expect(cat.some((p) => p.id.endsWith('*'))).toBe(false);
    const r = resolveRolePrivileges(role, cat);
    const baselineConfig = baseline.privileges
      .map((p) => p.id)
      .filter((id) => id.startsWith('VirtualMachine.Config.'));
    // The baseline's 26 Config IDs plus the role's own version-dependent Unlock entry.
    expect(r.expanded[0]!.ids.sort()).toEqual(
      [...baselineConfig, 'VirtualMachine.Config.Unlock'].sort(),
    );
  });
});
