// Jest global set-up: builds the simulator lab once and starts the shared `lab` scenario
// for all integration tests. Workers find it in DRPERM_TEST_LAB (they inherit this env).
import { startLab } from '../lab/launch';
import type { RunningLab } from '../lab/launch';
import type { LabInfo } from './lab-info';
import { SHARED_LAB_ENV } from './lab';

declare global {
  var __drpermSharedLab: RunningLab | undefined;
}

export default async function globalSetup(): Promise<void> {
  const lab = await startLab({ scenario: 'lab' });
  globalThis.__drpermSharedLab = lab;
  const info: LabInfo = {
    url: lab.url,
    username: lab.username,
    password: lab.password,
    thumbprintSha256: lab.thumbprintSha256,
    thumbprintSha1: lab.thumbprintSha1,
    certFile: lab.certFile,
  };
  process.env[SHARED_LAB_ENV] = JSON.stringify(info);
}
