import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fleetNsxTargets,
  fleetTargets,
  normaliseUrl,
  type PasswordRequest,
} from '../../../src/ops/connect';
import { loadFleet, type LoadedFleet } from '../../../src/policy/fleet';

const FLEET = [
  'vcenters:',
  '  - name: vc-dedicated',
  '    url: https://vc1.example.net/sdk',
  '    passwordEnv: VC1_PASSWORD',
  '  - name: vc-shared',
  '    url: vc2.example.net',
  '    username: audit@vsphere.local',
  '    insecure: true',
  'nsxManagers:',
  '  - name: nsx-shared',
  '    url: https://nsx2.example.net',
  '    vcenter: vc-shared',
  'defaults:',
  '  username: administrator@vsphere.local',
  '',
].join('\n');

async function fleet(text = FLEET): Promise<LoadedFleet> {
  const file = join(mkdtempSync(join(tmpdir(), 'drperm-connect-')), 'drperm.yaml');
  writeFileSync(file, text);
  return loadFleet(file);
}

/** Answers every password request with a password naming the server, and records the requests. */
function passwords() {
  const asked: PasswordRequest[] = [];
  return {
    asked,
    passwordFor: (r: PasswordRequest) => {
      asked.push(r);
      return Promise.resolve(`pw-${r.name}`);
    },
  };
}

describe('fleet connection settings', () => {
  it('resolves each chosen vCenter: the URL normalised, defaults applied, the password asked once', async () => {
    const loaded = await fleet();
    const p = passwords();
    const targets = await fleetTargets(loaded, undefined, p.passwordFor);
    expect(targets).toEqual([
      {
        name: 'vc-dedicated',
        connection: {
          url: 'https://vc1.example.net/sdk',
          username: 'administrator@vsphere.local',
          password: 'pw-vc-dedicated',
        },
      },
      {
        name: 'vc-shared',
        connection: {
          url: 'https://vc2.example.net/sdk',
          username: 'audit@vsphere.local',
          password: 'pw-vc-shared',
          insecure: true,
        },
      },
    ]);
    expect(p.asked.map((r) => [r.name, r.passwordEnv])).toEqual([
      ['vc-dedicated', 'VC1_PASSWORD'],
      ['vc-shared', undefined],
    ]);
    expect(p.asked[0]!.where).toMatch(/drperm\.yaml: vCenter vc-dedicated$/);
  });

  it('--vcenter narrows the run, and the NSX Managers to those serving the chosen vCenters', async () => {
    const loaded = await fleet();
    const p = passwords();
    const targets = await fleetTargets(loaded, ['vc-dedicated'], p.passwordFor);
    expect(targets.map((t) => t.name)).toEqual(['vc-dedicated']);
    expect(await fleetNsxTargets(loaded, ['vc-dedicated'], p.passwordFor, {})).toEqual([]);
    const nsx = await fleetNsxTargets(loaded, undefined, p.passwordFor, { DRPERM_TIMEOUT: '9' });
    expect(nsx).toEqual([
      {
        name: 'nsx-shared',
        // The manager's vCenter travels with it: the estate audit gives it that vCenter's tenants.
        vcenter: 'vc-shared',
        settings: {
          url: 'https://nsx2.example.net',
          username: 'administrator@vsphere.local',
          password: 'pw-nsx-shared',
          trust: { mode: 'verify' },
          timeoutMs: 9000,
        },
      },
    ]);
  });

  it('refuses a server without a user name before asking for its password', async () => {
    const loaded = await fleet(FLEET.replace(/defaults:\n {2}username: \S+\n/, ''));
    const p = passwords();
    await expect(fleetTargets(loaded, undefined, p.passwordFor)).rejects.toThrow(
      /vCenter vc-dedicated has no username/,
    );
    await expect(fleetNsxTargets(loaded, undefined, p.passwordFor, {})).rejects.toThrow(
      /NSX Manager nsx-shared has no username/,
    );
    expect(p.asked).toEqual([]);
  });

  it('normalises a host name to the https /sdk URL and splits credentials off', () => {
    expect(normaliseUrl('vc.example.net')).toEqual({ url: 'https://vc.example.net/sdk' });
    expect(normaliseUrl('https://u%40x:p@vc.example.net:8443/')).toEqual({
      url: 'https://vc.example.net:8443/sdk',
      username: 'u@x',
      password: 'p',
    });
    expect(() => normaliseUrl('http://vc.example.net')).toThrow(/only https/);
  });
});
