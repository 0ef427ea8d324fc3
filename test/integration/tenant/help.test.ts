import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

describe('tenant subcommand help', () => {
  it.each(['plan', 'apply', 'verify', 'drift', 'rollback'])(
    'tenant %s --help shows examples and the exit codes, exit 0',
    (sub) => {
      const r = spawnSync(process.execPath, [CLI, 'tenant', sub, '--help'], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain(`drperm tenant ${sub} --tenant`);
      expect(r.stdout).toMatch(/Exit codes: 0 ok/);
    },
  );
});
