// The lab answers HasUserPrivilegeOnEntities and FetchUserPrivilegeOnEntities with its own
// reader and writer (test/sim/privilegecalls.go); its Go test compares them byte for byte
// with vcsim's generic path: answers, faults, a caller without a session.
import { spawnSync } from 'node:child_process';
import { DEBIAN_GOPATH, SIM_SOURCE_DIR } from '../../lab/paths';

test('the lab answers the privilege calls byte for byte as vcsim does', () => {
  const result = spawnSync('go', ['test', '-count=1', '-run', 'TestPrivilegeCalls', '.'], {
    cwd: SIM_SOURCE_DIR,
    env: { ...process.env, GOPATH: DEBIAN_GOPATH, GO111MODULE: 'off', GOFLAGS: '' },
    encoding: 'utf8',
    timeout: 240000,
  });
  expect(result.error).toBeUndefined();
  expect(`${result.stdout}${result.stderr}`).toMatch(/^ok\s/m);
  expect(result.status).toBe(0);
}, 300000);
