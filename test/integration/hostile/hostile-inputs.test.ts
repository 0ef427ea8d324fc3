/**
 * Every command that reads a file, fed every hostile file of the corpus: exit 2, one clear
 * line naming the file and the cause, never an internal error or a stack trace, never a raw
 * control character, within seconds. Runs as an unprivileged user when started as root, so
 * that "permission denied" is real.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCorpus, type HostileFile, type InputKind } from './corpus';
import { runCli } from '../../helpers/run-cli';

const REPO = join(__dirname, '..', '..', '..');
const TENANT = join(REPO, 'policies', 'tenants', 'contoso.yaml');
const { files } = buildCorpus();
const NOBODY = 65534;
const asUser = process.getuid?.() === 0 ? { uid: NOBODY } : {};
// A working directory that user may write (audit checks its reports/ directory first).
const cwd = mkdtempSync(join(tmpdir(), 'drperm-hostile-cwd-'));
chmodSync(cwd, 0o777);

// eslint-disable-next-line no-control-regex -- asserting their absence
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** Each command and flag that reads a file, with the kind of file it expects there. */
const READERS: Array<{ name: string; kind: InputKind; args: (f: string) => string[] }> = [
  { name: 'tenant plan --tenant', kind: 'yaml', args: (f) => ['tenant', 'plan', '--tenant', f] },
  {
    name: 'tenant apply --tenant',
    kind: 'yaml',
    args: (f) => ['tenant', 'apply', '--tenant', f, '--yes'],
  },
  {
    name: 'tenant verify --tenant',
    kind: 'yaml',
    args: (f) => ['tenant', 'verify', '--tenant', f],
  },
  {
    name: 'tenant drift --role',
    kind: 'yaml',
    args: (f) => ['tenant', 'drift', '--tenant', TENANT, '--role', f],
  },
  {
    name: 'tenant rollback --backup',
    kind: 'json',
    args: (f) => ['tenant', 'rollback', '--backup', f, '--yes'],
  },
  {
    name: 'tenant apply --plan',
    kind: 'json',
    args: (f) => ['tenant', 'apply', '--plan', f, '--yes'],
  },
  { name: 'role plan --role', kind: 'yaml', args: (f) => ['role', 'plan', '--role', f] },
  {
    name: 'role plan --avs --baseline',
    kind: 'yaml',
    args: (f) => ['role', 'plan', '--avs', '--baseline', f],
  },
  {
    name: 'audit --snapshot',
    kind: 'json',
    args: (f) => ['audit', '--tenants', TENANT, '--snapshot', f],
  },
  {
    name: 'audit --tenants',
    kind: 'yaml',
    args: (f) => ['audit', '--tenants', f, '--snapshot', f],
  },
  {
    name: 'audit --membership',
    kind: 'yaml',
    args: (f) => ['audit', '--tenants', TENANT, '--membership', f],
  },
  {
    name: 'access --snapshot',
    kind: 'json',
    args: (f) => ['access', '--principal', 'X\\y', '--snapshot', f],
  },
  {
    name: 'compare cloudadmin --snapshot',
    kind: 'json',
    args: (f) => ['compare', 'cloudadmin', '--snapshot', f],
  },
  {
    name: 'nsx audit --snapshot',
    kind: 'json',
    args: (f) => ['nsx', 'audit', '--tenants', TENANT, '--snapshot', f],
  },
  {
    name: 'nsx audit --baseline',
    kind: 'yaml',
    args: (f) => ['nsx', 'audit', '--tenants', TENANT, '--snapshot', f, '--baseline', f],
  },
  { name: 'ls --snapshot', kind: 'json', args: (f) => ['ls', '--snapshot', f] },
  { name: 'find --snapshot', kind: 'json', args: (f) => ['find', '--name', '*', '--snapshot', f] },
  {
    name: 'tenant init --snapshot',
    kind: 'json',
    args: (f) => [
      'tenant',
      'init',
      'x',
      '--account',
      'X\\y',
      '--vm-folder',
      '/DC0/vm',
      '--snapshot',
      f,
    ],
  },
];

const cases: Array<[string, string, HostileFile, (f: string) => string[]]> = [];
for (const r of READERS)
  for (const f of files) if (f.kinds.includes(r.kind)) cases.push([r.name, f.name, f, r.args]);

describe('hostile input files', () => {
  it.each(cases)(
    '%s %s: exit 2, one line naming the file and the cause',
    async (_r, _f, file, args) => {
      const r = await runCli(args(file.path), {
        ...asUser,
        cwd,
        timeoutMs: 20000,
        env: { DRPERM_URL: 'https://127.0.0.1:1/sdk', DRPERM_USERNAME: 'u', DRPERM_PASSWORD: 'p' },
      });
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('drperm: '));
      expect({ code: r.code, stderr: r.stderr }).toEqual({
        code: 2,
        stderr: expect.stringContaining(file.path),
      });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(file.expect);
      expect(r.stderr).not.toMatch(/internal error|This is a bug|\n\s+at /);
      expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL);
    },
  );
});
