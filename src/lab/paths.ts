/** Where the lab's pieces live in the repository (same from src/lab and dist/lab). */
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
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
