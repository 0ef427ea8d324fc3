/** Runs the built CLI (dist/cli.js) as a user would, capturing output and exit code. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

export function runCli(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    input?: string;
    cwd?: string;
    timeoutMs?: number;
    /** Run as this user (root only): for permission-denied cases root itself would not see. */
    uid?: number;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // A clean environment: nothing from the developer's own DRPERM_/GOVC_ settings leaks in.
    const base: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!k.startsWith('DRPERM_') && !k.startsWith('GOVC_')) base[k] = v;
    }
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...base, ...options.env },
      cwd: options.cwd,
      ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
