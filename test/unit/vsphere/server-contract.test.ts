import {
  contractFrom,
  decideServerContract,
  requireContract,
  SIMULATOR_SETTING_KEY,
  UndecidedContractError,
  VCSIM_INSTANCE_UUID,
} from '../../../src/vsphere/server-contract';
import type { AboutInfo } from '../../../src/vsphere/types';
import { ExitCode } from '../../../src/util/errors';

const VCSIM_ABOUT: AboutInfo = {
  name: 'VMware vCenter Server',
  fullName: 'VMware vCenter Server 6.5.0 build-5973321',
  vendor: 'VMware, Inc.',
  version: '6.5.0',
  build: '5973321',
  apiType: 'VirtualCenter',
  apiVersion: '6.5',
  instanceUuid: VCSIM_INSTANCE_UUID,
};
const VCENTER_ABOUT: AboutInfo = {
  ...VCSIM_ABOUT,
  fullName: 'VMware vCenter Server 8.0.3 build-24322831',
  version: '8.0.3',
  build: '24322831',
  apiVersion: '8.0.3.0',
  instanceUuid: '6c0a5f9e-1111-4b0e-9f7e-0c3a2b1d9e44',
};

const noSleep = () => Promise.resolve();

describe('contractFrom', () => {
  it("takes vcsim's fixed instanceUuid as the simulator without reading anything else", () => {
    expect(contractFrom(VCSIM_ABOUT, undefined)).toMatchObject({
      decided: true,
      contract: { permissionWrites: 'replace', namesEscaped: false },
    });
  });

  it('takes the vcsim setting as the simulator even behind a vCenter-like about', () => {
    const keys = new Set(['config.vpxd.sso.sts.uri', SIMULATOR_SETTING_KEY]);
    expect(contractFrom(VCENTER_ABOUT, { ok: true, keys })).toMatchObject({
      decided: true,
      contract: { permissionWrites: 'replace', namesEscaped: false },
    });
  });

  it('takes a server whose settings were read and lack the vcsim setting as a vCenter', () => {
    const keys = new Set(['config.vpxd.sso.sts.uri']);
    expect(contractFrom(VCENTER_ABOUT, { ok: true, keys })).toMatchObject({
      decided: true,
      contract: { permissionWrites: 'add-or-update', namesEscaped: true },
    });
  });

  it('does not decide when the settings could not be read (never assumes a vCenter)', () => {
    const d = contractFrom(VCENTER_ABOUT, { ok: false, error: 'NoPermission' });
    expect(d).toEqual({ decided: false, reason: expect.stringContaining('NoPermission') });
    expect(contractFrom(VCENTER_ABOUT, undefined).decided).toBe(false);
  });
});

describe('decideServerContract', () => {
  it('retries the settings read after a SOAP fault and decides from the answer', async () => {
    let calls = 0;
    const d = await decideServerContract(
      {
        about: VCENTER_ABOUT,
        readSettingKeys: () => {
          calls++;
          if (calls < 3) return Promise.reject(new Error('SystemError: HTTP 500'));
          return Promise.resolve([SIMULATOR_SETTING_KEY]);
        },
      },
      { sleep: noSleep },
    );
    expect(calls).toBe(3);
    expect(d).toMatchObject({ decided: true, contract: { permissionWrites: 'replace' } });
  });

  it('gives up after the attempts and stays undecided, naming the last error', async () => {
    const delays: number[] = [];
    const d = await decideServerContract(
      { about: VCENTER_ABOUT, readSettingKeys: () => Promise.reject(new Error('socket hang up')) },
      { attempts: 3, delayMs: 100, sleep: (ms) => (delays.push(ms), Promise.resolve()) },
    );
    expect(d).toEqual({
      decided: false,
      reason: expect.stringMatching(/socket hang up \(3 attempts\)/),
    });
    expect(delays).toEqual([100, 200]);
  });

  it('does not read the settings when the service content already says simulator', async () => {
    const read = jest.fn(() => Promise.reject(new Error('must not be called')));
    const d = await decideServerContract({ about: VCSIM_ABOUT, readSettingKeys: read });
    expect(read).not.toHaveBeenCalled();
    expect(d.decided).toBe(true);
  });
});

describe('requireContract', () => {
  it('refuses a write with exit 3 and says nothing was changed', () => {
    const decision = { decided: false as const, reason: 'cannot read the server settings' };
    let error: unknown;
    try {
      requireContract(decision, 'https://vc.example.com/sdk');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UndecidedContractError);
    expect((error as UndecidedContractError).exitCode).toBe(ExitCode.Server);
    expect((error as Error).message).toMatch(
      /refusing to change permissions on https:\/\/vc\.example\.com\/sdk: .*nothing was changed/,
    );
  });

  it('returns the contract when decided', () => {
    const decision = contractFrom(VCSIM_ABOUT, undefined);
    expect(requireContract(decision, 'x').permissionWrites).toBe('replace');
  });
});
