/**
 * Against plain vcsim (the lab with --vcsim-semantics: any login works, every session sees
 * everything, FetchUserPrivilegeOnEntities answers Admin), `tenant discover` and
 * `audit --confirm-with-server` stay truthful: they report what the server says, so an
 * onboarded lab that drperm's computation calls isolated fails both checks. Never silently.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditReport } from '../../../src/audit/report-model';
import { startLab, type RunningLab } from '../../lab/launch';
import type { TenantDiscoveryResult } from '../../../src/ops/discover';
import { labEnv } from '../../helpers/lab-info';
import { runCli } from '../../helpers/run-cli';
import { TENANTS_DIR, tenantObjects } from '../tenant/tenant-lab';

// Each test runs the CLI a few times; on a loaded machine that takes longer than jest's default.
jest.setTimeout(180000);

let lab: RunningLab;
let dir: string;
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(args, { env: { ...labEnv(lab), ...env }, cwd: dir });

beforeAll(async () => {
  lab = await startLab({ scenario: 'lab', vcsimSemantics: true });
  dir = mkdtempSync(join(tmpdir(), 'drperm-vcsim-'));
  expect((await cli(['role', 'apply', '--yes'])).code).toBe(0);
  expect((await cli(['tenant', 'apply', '--tenant', TENANTS_DIR, '--yes'])).code).toBe(0);
}, 180000);

afterAll(async () => {
  await lab?.stop();
});

describe('on plain vcsim', () => {
  it('tenant discover reports every foreign VM the session sees (exit 1)', async () => {
    const r = await cli(
      ['tenant', 'discover', '--tenant', join(TENANTS_DIR, 'contoso.yaml'), '--json'],
      { DRPERM_TENANT_PASSWORD: 'any&<thing>1' },
    );
    expect(r.code).toBe(1);
    const [contoso] = (JSON.parse(r.stdout) as { tenants: TenantDiscoveryResult[] }).tenants;
    const foreign = contoso!.findings
      .filter((f) => f.rule === 'discover-foreign-vm')
      .map((f) => f.entity!.path)
      .sort();
    expect(foreign).toEqual(
      [
        ...tenantObjects('fabrikam').filter((p) => p.startsWith('/DC0/vm/')),
        '/DC0/vm/unowned-vm01',
      ].sort(),
    );
    // drperm's own computation finds no permission for them, and says so.
    const f = contoso!.findings.find((x) => x.entity?.path === '/DC0/vm/unowned-vm01')!;
    expect(f.evidence).toEqual([]);
    expect(f.details?.join(' ')).toContain('drperm computes no access');
  });

  it('audit --confirm-with-server reports the disagreements (Admin everywhere)', async () => {
    const out = join(dir, 'audit');
    const r = await cli([
      'audit',
      '--tenants',
      TENANTS_DIR,
      '--confirm-with-server',
      '--format',
      'json',
      '--out',
      out,
    ]);
    expect(r.code).toBe(1);
    const file = readdirSync(out).find((f) => f.endsWith('.json'))!;
    const report = JSON.parse(readFileSync(join(out, file), 'utf8')) as AuditReport;
    const c = report.serverConfirmation!;
    // Every entity, for each tenant: drperm computes far less than Admin anywhere.
    expect(c.totals.differs).toBe(2 * report.snapshot.entityCount);
    expect(c.totals.agreed).toBe(0);
    const disagreements = report.findings.filter((f) => f.rule === 'server-disagrees');
    expect(disagreements).toHaveLength(c.totals.differs);
    expect(disagreements[0]!.severity).toBe('high');
    expect(disagreements[0]!.details!.join('\n')).toMatch(
      /^vCenter \(FetchUserPrivilegeOnEntities\): \d+: /m,
    );
    expect(new Set(report.effectiveAccess.map((row) => row.confirmedByVcenter))).toEqual(
      new Set(['differs']),
    );
    expect(report.tenants.map((t) => t.verdict)).toEqual(['not isolated', 'not isolated']);
  });
});
