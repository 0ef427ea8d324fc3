/** The CLI's contract for people and scripts: help, version, and usage errors with exit 2. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../../helpers/run-cli';

describe('drperm usage', () => {
  it('prints help with a first-run workflow and the exit codes (exit 0)', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/drperm tenant apply --tenant/);
    expect(r.stdout).toMatch(
      /Exit codes:[\s\S]*3 {2}connection, TLS, authentication or server error/,
    );
  });

  it('prints help for a command with `drperm help COMMAND` (exit 0)', async () => {
    const r = await runCli(['help', 'tenant']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: drperm tenant/);
  });

  it('stops quietly when its reader closes the pipe early, as `drperm help | head -1` does', async () => {
    const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');
    const child = spawn(process.execPath, [cli, 'help', 'tenant'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The reader is gone before drperm writes: every write meets a closed pipe.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('prints the version (exit 0)', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each([
    [[], /Usage: drperm/],
    [['audt'], /unknown command 'audt'[\s\S]*Did you mean audit\?/],
    [
      ['collect', '--pagesize', '5'],
      /unknown option '--pagesize'[\s\S]*Did you mean --page-size\?/,
    ],
    [['tenant', 'plan', '--bogus'], /unknown option '--bogus'/],
    [['tenant'], /Usage: drperm tenant/],
  ])('exits 2 on a usage error: drperm %j', async (args, message) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toMatch(message);
  });

  it('says how to give a vCenter when none is configured (exit 2)', async () => {
    const r = await runCli(['collect']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no vCenter URL given/);
    expect(r.stderr).toMatch(/DRPERM_URL/);
  });
});
