/**
 * The isolation audit on the simulator lab, end to end: onboard both tenants with drperm
 * itself, audit live and offline, then plant a propagating grant on the shared cluster and
 * check that the audit names the other tenant's VMs and the granting permission.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditReport } from '../../../src/audit/report-model';
import { expandJsonReport, type JsonReportV2 } from '../../../src/report/json-read';
import { severityRank } from '../../../src/audit/types';
import { collectSnapshot } from '../../../src/vsphere/collect';
import { silentLogger } from '../../../src/util/log';
import { startLab, type OwnLab } from '../../helpers/lab';
import type { CliResult } from '../../helpers/run-cli';
import {
  CONTOSO,
  FABRIKAM,
  REPO,
  TENANTS_DIR,
  cliIn,
  connectClient,
  scratch,
  tenantObjects,
} from '../tenant/tenant-lab';

const MEMBERSHIP = join(REPO, 'policies', 'examples', 'lab-membership.yaml');
const CONTOSO_VMS = tenantObjects('contoso').filter((p) => p.startsWith('/DC0/vm/'));

function readReport(dir: string): AuditReport {
  const file = readdirSync(dir).find((f) => f.endsWith('.json'))!;
  // Format 2 refers to entities, permissions and privilege sets by id: expand them back.
  return expandJsonReport(JSON.parse(readFileSync(join(dir, file), 'utf8')) as JsonReportV2);
}

const highOrWorse = (r: AuditReport) =>
  r.findings.filter((f) => severityRank(f.severity) >= severityRank('high'));

describe('drperm audit on the lab', () => {
  let lab: OwnLab;
  let dir: string;
  let cli: (args: string[]) => Promise<CliResult>;

  const audit = (out: string, ...extra: string[]) =>
    cli([
      'audit',
      '--tenants',
      TENANTS_DIR,
      '--membership',
      MEMBERSHIP,
      '--format',
      'json,xlsx',
      '--out',
      join(dir, out),
      ...extra,
    ]);

  beforeAll(async () => {
    lab = await startLab('lab');
    dir = scratch();
    cli = cliIn(lab, dir);
    expect((await cli(['role', 'apply', '--yes'])).code).toBe(0);
    expect((await cli(['tenant', 'apply', '--tenant', TENANTS_DIR, '--yes'])).code).toBe(0);
  }, 120000);

  afterAll(async () => {
    await lab?.stop();
  });

  it('finds both tenants isolated after onboarding, with identical results live and offline', async () => {
    const live = await audit('live');
    expect(live.stderr).not.toMatch(/error/i);
    expect(live.code).toBe(0);
    const liveReport = readReport(join(dir, 'live'));
    expect(liveReport.tenants.map((t) => [t.tenant, t.verdict])).toEqual([
      ['contoso', 'isolated'],
      ['fabrikam', 'isolated'],
    ]);
    expect(highOrWorse(liveReport)).toEqual([]);
    // Each account reaches its own VMs and none of the other tenant's.
    const reached = (principal: string) =>
      liveReport.effectiveAccess
        .filter((r) => r.principal === principal && r.entity.type === 'VirtualMachine')
        .map((r) => r.entity.path)
        .sort();
    expect(reached(CONTOSO)).toEqual([...CONTOSO_VMS].sort());
    expect(reached(FABRIKAM).every((p) => p.startsWith('/DC0/vm/fabrikam/'))).toBe(true);

    const snapshot = join(dir, 'snapshot.json');
    expect((await cli(['collect', '--out', snapshot])).code).toBe(0);
    expect((await audit('offline', '--snapshot', snapshot)).code).toBe(0);
    const offlineReport = readReport(join(dir, 'offline'));
    expect(offlineReport.findings).toEqual(liveReport.findings);
    expect(offlineReport.tenants).toEqual(liveReport.tenants);
    expect(offlineReport.effectiveAccess).toEqual(liveReport.effectiveAccess);
  }, 120000);

  it('names the other tenant VMs and the granting permission after a propagating grant on the shared cluster', async () => {
    const client = await connectClient(lab);
    try {
      const snapshot = await collectSnapshot(client, { log: silentLogger });
      const cluster = snapshot.entities.find((e) => e.path === '/DC0/host/DC0_C0')!;
      const ref = { type: cluster.type, value: cluster.ref };
      // The simulator replaces an object's permissions: send the others back unchanged.
      const others = (await client.retrieveEntityPermissions(ref, false)).filter(
        (p) => p.principal !== FABRIKAM,
      );
      await client.setEntityPermissions(ref, [
        ...others,
        { principal: FABRIKAM, group: false, roleId: -2, propagate: true },
      ]);
    } finally {
      await client.logout();
    }

    const leaked = await audit('leaked');
    expect(leaked.code).toBe(1);
    expect(leaked.stdout).toMatch(/fabrikam\s+not isolated/);
    const report = readReport(join(dir, 'leaked'));
    expect(report.tenants.map((t) => [t.tenant, t.verdict])).toEqual([
      ['contoso', 'isolated'],
      ['fabrikam', 'not isolated'],
    ]);
    const cross = report.findings.filter(
      (f) => f.rule === 'cross-tenant-access' && f.tenant === 'fabrikam',
    );
    expect(cross.map((f) => f.entity!.path).sort()).toEqual([...CONTOSO_VMS].sort());
    for (const f of cross) {
      expect(f.severity).toBe('critical');
      expect(f.principal).toBe(FABRIKAM);
      expect(f.evidence).toContainEqual(
        expect.objectContaining({
          entity: expect.objectContaining({ path: '/DC0/host/DC0_C0' }),
          principal: FABRIKAM,
          roleName: 'ReadOnly',
          propagate: true,
        }),
      );
    }
    expect(
      report.findings.some((f) => f.rule === 'propagating-grant' && f.tenant === 'fabrikam'),
    ).toBe(true);
    // The workbook was written beside the JSON report.
    expect(readdirSync(join(dir, 'leaked')).some((f) => f.endsWith('.xlsx'))).toBe(true);
  }, 120000);
});
