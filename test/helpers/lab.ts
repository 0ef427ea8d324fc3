/**
 * Simulator labs for integration tests. Read-only tests use the shared lab started by the
 * jest global set-up; a test file that changes vCenter state starts its own lab, so test
 * files stay independent and can run in parallel.
 */
import { startLab as launch } from '../lab/launch';
import { silentLogger } from '../../src/util/log';
import { VimClient } from '../../src/vsphere/client';
import type { LabInfo } from './lab-info';

/** Where the jest global set-up leaves the shared lab's LabInfo (JSON). */
export const SHARED_LAB_ENV = 'DRPERM_TEST_LAB';

/** The shared `lab` scenario: never change its permissions, roles or inventory. */
export function sharedLab(): LabInfo {
  const json = process.env[SHARED_LAB_ENV];
  if (json === undefined) {
    throw new Error(
      `${SHARED_LAB_ENV} is not set: run integration tests with jest (its global set-up starts the lab)`,
    );
  }
  return JSON.parse(json) as LabInfo;
}

export type OwnLab = LabInfo & { stop(): Promise<void> };

/**
 * A private lab (default scenario `lab`); call stop() in afterAll. `vcsimSemantics` keeps
 * vcsim 0.24's own contract (replace semantics, raw names, any login) instead of vCenter's.
 */
export async function startLab(
  scenario = 'lab',
  options: { vcsimSemantics?: boolean } = {},
): Promise<OwnLab> {
  const lab = await launch({ scenario, vcsimSemantics: options.vcsimSemantics === true });
  return {
    url: lab.url,
    username: lab.username,
    password: lab.password,
    thumbprintSha256: lab.thumbprintSha256,
    thumbprintSha1: lab.thumbprintSha1,
    certFile: lab.certFile,
    stop: () => lab.stop(),
  };
}

/** A typed client logged in to a lab, pinning its certificate; call logout() when done. */
export function connectLab(lab: LabInfo): Promise<VimClient> {
  return VimClient.connect(
    {
      url: lab.url,
      username: lab.username,
      password: lab.password,
      thumbprint: lab.thumbprintSha256,
    },
    silentLogger,
  );
}
