/** Where the lab's pieces live in the repository (same from test/lab and its build, dist-lab/). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The nearest directory above this module's that holds package.json: the repository. */
function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

export const REPO_ROOT = findRepoRoot(__dirname);
export const SIM_SOURCE_DIR = join(REPO_ROOT, 'test', 'sim');
export const SCENARIO_DIR = join(SIM_SOURCE_DIR, 'scenarios');
export const SIM_BINARY = join(SIM_SOURCE_DIR, '.bin', 'drperm-lab');
export const INSTALL_DEPS_SCRIPT = join(REPO_ROOT, 'scripts', 'install-sim-deps.sh');

/** Debian's Go path: golang-github-vmware-govmomi-dev installs govmomi's sources here. */
export const DEBIAN_GOPATH = '/usr/share/gocode';
export const GOVMOMI_SIMULATOR_DIR = join(
  DEBIAN_GOPATH,
  'src',
  'github.com',
  'vmware',
  'govmomi',
  'simulator',
);
