/** Starts the simulator lab as a child process and waits for its ready line. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { buildSimulator } from './build';
import { loadScenario } from './scenario';

/** What a running lab tells its clients; printed as one JSON line when the lab is ready. */
export interface LabInfo {
  url: string;
  username: string;
  password: string;
  thumbprintSha256: string;
  thumbprintSha1: string;
  certFile: string;
}

/** Benchmark inventory added to the scenario: tenants tenant-000.. with a folder and pool each. */
export interface LabScale {
  datacenters?: number;
  clusters?: number;
  hostsPerCluster?: number;
  tenants?: number;
  vms?: number;
}

export interface LabOptions {
  /** Scenario name in test/sim/scenarios (default `lab`) or a YAML/JSON file. */
  scenario?: string;
  /** Port on 127.0.0.1; 0 or unset picks a free one. */
  port?: number;
  scale?: LabScale;
  username?: string;
  password?: string;
  /** How long to wait for the ready line (default 60 s; large scales need more). */
  timeoutMs?: number;
  /** Keep vcsim 0.24's own behaviour (replace-all SetEntityPermissions, raw names, vcsim settings) instead of vCenter's contract. */
  vcsimSemantics?: boolean;
  /** Receives the lab's diagnostics (stderr lines); default: kept for error messages only. */
  onLog?: (line: string) => void;
}

export interface RunningLab extends LabInfo {
  /** Child process id, for people who look at `ps`. */
  readonly pid: number;
  /** Stops the lab (SIGTERM, then SIGKILL after 30 s: a large lab takes seconds to remove its files) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

const SCALE_FLAGS: Record<keyof LabScale, string> = {
  datacenters: '--scale-datacenters',
  clusters: '--scale-clusters',
  hostsPerCluster: '--scale-hosts',
  tenants: '--scale-tenants',
  vms: '--scale-vms',
};

export function labArguments(options: LabOptions): string[] {
  const args = ['--scenario', '-', '--exit-on-stdin-eof', '--port', String(options.port ?? 0)];
  if (options.username !== undefined) args.push('--username', options.username);
  if (options.password !== undefined) args.push('--password', options.password);
  if (options.vcsimSemantics === true) args.push('--vcsim-semantics');
  for (const [key, flag] of Object.entries(SCALE_FLAGS) as [keyof LabScale, string][]) {
    const value = options.scale?.[key];
    if (value !== undefined && value > 0) args.push(flag, String(value));
  }
  return args;
}

export async function startLab(options: LabOptions = {}): Promise<RunningLab> {
  const scenario = loadScenario(options.scenario ?? 'lab');
  const binary = buildSimulator();
  // The scenario goes in on stdin, which stays open: when this process dies, stdin closes
  // and the lab stops by itself instead of lingering.
  const child = spawn(binary, labArguments(options), { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.write(JSON.stringify(scenario) + '\n');
  const info = await waitForReady(child, options);
  return { ...info, pid: child.pid ?? -1, stop: stopper(child) };
}

function waitForReady(child: ChildProcess, options: LabOptions): Promise<LabInfo> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const stderrTail: string[] = [];
  let stdout = '';
  return new Promise<LabInfo>((resolve, reject) => {
    const fail = (message: string) => {
      clearTimeout(timer);
      terminate(child);
      // The lab's own explanation, unless the caller already showed its log.
      const tail = options.onLog === undefined ? stderrTail.join('\n') : '';
      reject(new Error(tail ? `${message}\n${tail}` : message));
    };
    const timer = setTimeout(
      () => fail(`the simulator lab was not ready within ${timeoutMs} ms`),
      timeoutMs,
    );
    lines(child.stderr, (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
      options.onLog?.(line);
    });
    child.on('error', (err) => fail(`cannot start the simulator lab: ${err.message}`));
    child.on('exit', (code, signal) =>
      fail(`the simulator lab exited before it was ready (${signal ?? `exit code ${code}`})`),
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const end = stdout.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume(); // nothing more is expected; never let the pipe fill up
      try {
        resolve(parseLabInfo(stdout.slice(0, end)));
      } catch (err) {
        fail(err instanceof Error ? err.message : String(err));
      }
    });
  });
}

export function parseLabInfo(line: string): LabInfo {
  const value: unknown = JSON.parse(line);
  const keys: (keyof LabInfo)[] = [
    'url',
    'username',
    'password',
    'thumbprintSha256',
    'thumbprintSha1',
    'certFile',
  ];
  if (typeof value !== 'object' || value === null) throw new Error(`bad lab ready line: ${line}`);
  const record = value as Record<string, unknown>;
  for (const key of keys) {
    if (typeof record[key] !== 'string') throw new Error(`lab ready line lacks "${key}"`);
  }
  return Object.fromEntries(keys.map((k) => [k, record[k]])) as unknown as LabInfo;
}

function lines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let buffer = '';
  stream?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
    }
  });
}

/** SIGTERM lets the lab remove its temporary files, even mid-build; SIGKILL if it hangs. */
function terminate(child: ChildProcess): NodeJS.Timeout {
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  killer.unref();
  child.once('exit', () => clearTimeout(killer));
  return killer;
}

function stopper(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      terminate(child);
      await exited;
      child.stdin?.destroy();
    })();
    return stopping;
  };
}
