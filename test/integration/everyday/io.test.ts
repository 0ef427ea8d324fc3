/**
 * Inputs and outputs around the commands, on the shared lab: help with its own examples on
 * every subcommand, one default --fail-on, what answered at a wrong URL, output directories
 * checked before collecting, snapshot warnings in the report, --verbose and --debug-dir.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedLab } from '../../helpers/lab';
import { labEnv } from '../../helpers/lab-info';
import { runCli } from '../../helpers/run-cli';
import { startNsxServer } from '../../lab/nsx-server';
import { readSnapshot, snapshotText } from '../../../src/model/snapshot-file';

const lab = sharedLab();
const env = labEnv(lab);
const dir = mkdtempSync(join(tmpdir(), 'drperm-everyday-io-'));
const TENANTS = join(__dirname, '..', '..', '..', 'policies', 'tenants');

const SUBCOMMANDS = [
  ['collect'],
  ['ls'],
  ['find'],
  ['role', 'plan'],
  ['role', 'apply'],
  ['compare', 'cloudadmin'],
  ['tenant', 'init'],
  ['tenant', 'plan'],
  ['tenant', 'apply'],
  ['tenant', 'verify'],
  ['tenant', 'drift'],
  ['tenant', 'rollback'],
  ['access'],
  ['audit'],
  ['nsx', 'collect'],
  ['nsx', 'audit'],
  ['nsx', 'role', 'plan'],
  ['nsx', 'role', 'apply'],
];

describe('--help', () => {
  it('every subcommand has examples of its own, each naming that subcommand', async () => {
    const examples = new Map<string, string>();
    for (const cmd of SUBCOMMANDS) {
      const r = await runCli([...cmd, '--help']);
      expect(r.code).toBe(0);
      const block = /\nExamples?:\n([\s\S]*?)(\n\n|$)/.exec(r.stdout)?.[1];
      expect({ cmd, block: block !== undefined }).toEqual({ cmd, block: true });
      expect(block).toContain(`drperm ${cmd.join(' ')}`);
      examples.set(cmd.join(' '), block!);
    }
    expect(new Set(examples.values()).size).toBe(examples.size);
  });

  it('audit and nsx audit share one documented default --fail-on', async () => {
    for (const cmd of [['audit'], ['nsx', 'audit']]) {
      const r = await runCli([...cmd, '--help']);
      expect(r.stdout).toMatch(/--fail-on <severity>[\s\S]*\(default: "high"\)/);
    }
  });

  it('documents --detailed-exitcode on every plan command', async () => {
    for (const cmd of [
      ['role', 'plan'],
      ['tenant', 'plan'],
      ['nsx', 'role', 'plan'],
    ]) {
      expect((await runCli([...cmd, '--help'])).stdout).toContain('--detailed-exitcode');
    }
  });
});

describe('a URL that points at the wrong server', () => {
  it('says when --url answers plain HTTP', async () => {
    const server = createServer((_q, s) => s.end('hello')).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const r = await runCli(['collect', '--insecure'], {
        env: { ...env, DRPERM_URL: `https://127.0.0.1:${port}/sdk` },
        timeoutMs: 20000,
      });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(
        `drperm: cannot talk to vCenter 127.0.0.1:${port} (RetrieveServiceContent): this looks like plain HTTP`,
      );
    } finally {
      server.close();
    }
  });

  it('says when --url is NSX Manager, and when --nsx-url is vCenter', async () => {
    const nsx = await startNsxServer({ scenario: 'clean' });
    try {
      const r = await runCli(['collect'], {
        env: { ...env, DRPERM_URL: nsx.url, DRPERM_THUMBPRINT: nsx.thumbprintSha256 },
      });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        /is not a vCenter SDK endpoint: it answered HTTP \d+ with JSON that looks like NSX Manager's API/,
      );
    } finally {
      await nsx.stop();
    }
    const v = await runCli(['nsx', 'collect', '--out', join(dir, 'n.json')], {
      env: {
        DRPERM_NSX_URL: new URL(lab.url).origin,
        DRPERM_NSX_USERNAME: lab.username,
        DRPERM_NSX_PASSWORD: lab.password,
        DRPERM_NSX_THUMBPRINT: lab.thumbprintSha256,
      },
    });
    expect(v.code).toBe(3);
    expect(v.stderr).toMatch(
      /is a vCenter \(it serves the vSphere SDK at \/sdk\), not NSX Manager/,
    );
  });
});

describe('outputs', () => {
  it('refuses an --out that is a file, or under one, before collecting (exit 2)', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const audit = await runCli(['-v', 'audit', '--tenants', TENANTS, '--out', file], { env });
    expect(audit.code).toBe(2);
    expect(audit.stderr).toContain(`drperm: --out ${file} is a file, not a directory`);
    expect(audit.stderr).not.toContain('RetrievePropertiesEx');
    const collect = await runCli(['-v', 'collect', '--out', join(file, 'snap.json')], { env });
    expect(collect.code).toBe(2);
    expect(collect.stderr).toContain(`${file} is a file, not a directory`);
    expect(collect.stderr).not.toContain('RetrievePropertiesEx');
  });

  it('--verbose logs one line per call and no body; --debug-dir holds the bodies, redacted', async () => {
    const debugDir = join(dir, 'debug');
    const r = await runCli(
      ['--verbose', '--debug-dir', debugDir, 'collect', '--out', join(dir, 's.json')],
      { env },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^debug: soap RetrieveServiceContent: HTTP 200 in \d+ ms, \d+ bytes$/m,
    );
    expect(r.stderr).not.toContain('<soapenv:');
    const files = readdirSync(debugDir).sort();
    expect(files[0]).toBe('0001-RetrieveServiceContent.req.xml');
    expect(files).toContain('0002-Login.req.xml');
    const all = files.map((f) => readFileSync(join(debugDir, f), 'utf8')).join('\n');
    expect(all).toContain('<password>***</password>');
    expect(all).not.toContain(lab.password);
  });

  it('reports a permission on an entity the snapshot lacks as a warning', async () => {
    const file = join(dir, 's.json');
    const { snapshot } = await readSnapshot(file);
    snapshot.permissions.push({
      entity: 'vm-gone',
      principal: 'VSPHERE.LOCAL\\ghost',
      group: false,
      roleId: -2,
      propagate: false,
    });
    const edited = join(dir, 'orphan.json');
    writeFileSync(edited, snapshotText(snapshot));
    const out = join(dir, 'report');
    const r = await runCli([
      'audit',
      '--tenants',
      TENANTS,
      '--snapshot',
      edited,
      '--out',
      out,
      '--format',
      'json',
    ]);
    expect([0, 1]).toContain(r.code);
    const json = readdirSync(out).find((f) => f.endsWith('.json'))!;
    const report = JSON.parse(readFileSync(join(out, json), 'utf8')) as { warnings: string[] };
    expect(report.warnings).toContainEqual(
      expect.stringContaining('user VSPHERE.LOCAL\\ghost on vm-gone'),
    );
  });
});
