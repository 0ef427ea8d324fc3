import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, mergeScenario, resolveScenarioFile } from '../../lab/scenario';
import { SCENARIO_DIR } from '../../lab/paths';

describe('lab scenarios', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'drperm-scenario-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves a bare name to test/sim/scenarios and a path to a file', () => {
    expect(resolveScenarioFile('lab')).toBe(join(SCENARIO_DIR, 'lab.yaml'));
    expect(resolveScenarioFile('/x/y.yaml')).toBe('/x/y.yaml');
    expect(() => resolveScenarioFile('no-such-scenario')).toThrow(/no lab scenario named/);
  });

  it('merges extends: lists are concatenated, mappings merged, scalars replaced', () => {
    const merged = mergeScenario(
      { vms: [{ path: '/a' }], scale: { vms: 1, tenants: 2 }, note: 'base' },
      { vms: [{ path: '/b' }], scale: { vms: 5 }, note: 'child' },
    );
    expect(merged).toEqual({
      vms: [{ path: '/a' }, { path: '/b' }],
      scale: { vms: 5, tenants: 2 },
      note: 'child',
    });
  });

  it('follows extends relative to the extending file and drops the key', () => {
    writeFileSync(join(dir, 'base.yaml'), 'folders: [/DC0/vm/a]\n');
    writeFileSync(join(dir, 'child.yaml'), 'extends: base.yaml\nfolders: [/DC0/vm/b]\n');
    expect(loadScenario(join(dir, 'child.yaml'))).toEqual({
      folders: ['/DC0/vm/a', '/DC0/vm/b'],
    });
  });

  it('refuses an extends cycle', () => {
    writeFileSync(join(dir, 'a.yaml'), 'extends: b.yaml\n');
    writeFileSync(join(dir, 'b.yaml'), 'extends: a.yaml\n');
    expect(() => loadScenario(join(dir, 'a.yaml'))).toThrow(/extends itself/);
  });

  it('demo extends lab with more permissions and nothing lost', () => {
    const lab = loadScenario('lab');
    const demo = loadScenario('demo');
    expect(demo['vms']).toEqual(lab['vms']);
    expect((demo['permissions'] as unknown[]).length).toBeGreaterThan(
      (lab['permissions'] as unknown[]).length,
    );
  });
});
