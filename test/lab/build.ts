/**
 * Compiles the Go lab program (test/sim) when its binary is missing or older than its
 * sources. Go and govmomi come from Debian packages and build in GOPATH mode.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DEBIAN_GOPATH,
  GOVMOMI_SIMULATOR_DIR,
  INSTALL_DEPS_SCRIPT,
  SIM_BINARY,
  SIM_SOURCE_DIR,
} from './paths';

export const INSTALL_COMMAND =
  'sudo apt-get update && sudo apt-get install -y golang-go golang-github-vmware-govmomi-dev';

export class LabSetupError extends Error {
  override readonly name = 'LabSetupError';
}

/** Returns the binary's path, building it first if needed. */
export function buildSimulator(options: { log?: (line: string) => void } = {}): string {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  if (isUpToDate()) return SIM_BINARY;
  ensureDependencies(log);
  log('Building the simulator lab (test/sim)...');
  // Build next to the target and rename: parallel builds never see a half-written binary.
  mkdirSync(dirname(SIM_BINARY), { recursive: true });
  const tmp = `${SIM_BINARY}.${process.pid}.tmp`;
  const result = spawnSync('go', ['build', '-o', tmp, '.'], {
    cwd: SIM_SOURCE_DIR,
    env: { ...process.env, GOPATH: DEBIAN_GOPATH, GO111MODULE: 'off', GOFLAGS: '' },
    encoding: 'utf8',
  });
  if (result.error !== undefined || result.status !== 0) {
    rmSync(tmp, { force: true });
    const detail = result.error?.message ?? result.stderr.trim();
    throw new LabSetupError(`building the simulator lab failed:\n${detail}`);
  }
  renameSync(tmp, SIM_BINARY);
  return SIM_BINARY;
}

function isUpToDate(): boolean {
  if (!existsSync(SIM_BINARY)) return false;
  const built = statSync(SIM_BINARY).mtimeMs;
  return goSources().every((file) => statSync(file).mtimeMs <= built);
}

function goSources(): string[] {
  return readdirSync(SIM_SOURCE_DIR)
    .filter((f) => f.endsWith('.go'))
    .map((f) => join(SIM_SOURCE_DIR, f));
}

function hasDependencies(): boolean {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  return go.status === 0 && existsSync(GOVMOMI_SIMULATOR_DIR);
}

function ensureDependencies(log: (line: string) => void): void {
  if (hasDependencies()) return;
  if (process.getuid?.() !== 0) {
    throw new LabSetupError(
      `the simulator lab needs Go and govmomi from Debian packages; install them with:\n  ${INSTALL_COMMAND}`,
    );
  }
  log('Installing the simulator lab dependencies (golang-go, golang-github-vmware-govmomi-dev)...');
  const result = spawnSync('sh', [INSTALL_DEPS_SCRIPT], { stdio: ['ignore', 2, 2] });
  if (result.status !== 0 || !hasDependencies()) {
    throw new LabSetupError(
      `installing the simulator lab dependencies failed; install them with:\n  ${INSTALL_COMMAND}`,
    );
  }
}
