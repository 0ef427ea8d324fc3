/**
 * The fleet audit over hand-built vCenters: a dedicated one (one tenant) and a shared one
 * (two tenants), each configured as `tenant apply` would; tests add one mistake at a time.
 */
import { runFleetAudit, type AuditedVcenter, type FleetAuditInput } from '../../../src/audit/fleet';
import { runAudit } from '../../../src/audit/audit';
import { findingId, formatTwoFindingId } from '../../../src/audit/finding-id';
import { buildFleetReport } from '../../../src/audit/fleet-report';
import { compareWithPrevious } from '../../../src/audit/report-previous';
import { Inventory } from '../../../src/model/inventory';
import type { Snapshot } from '../../../src/model/snapshot';
import type { TenantPolicy } from '../../../src/policy/schemas';
import { resolveTenant } from '../../../src/policy/tenant-resolve';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderMarkdown } from '../../../src/report/markdown';
import { SHEET_NAMES } from '../../../src/report/workbook-sheets';
import { writeWorkbook } from '../../../src/report/workbook';
import { column, headers, readWorkbook } from '../report/xlsx-read';
import { InputError } from '../../../src/util/errors';
import { ROLE, SnapshotBuilder } from './snapshot-builder';

const ASR = ['Datastore.Browse', 'VirtualMachine.Config.Rename'];

function policy(tenant: string, principal = `VSPHERE.LOCAL\\asr-${tenant}`): TenantPolicy {
  return {
    tenant,
    mode: 'failback',
    account: { principal, group: false },
    vcenterReadOnly: true,
    objects: {
      datacenters: ['/DC0'],
      hosts: [],
      datastores: [],
      networks: [],
      managementServers: [],
      vms: { folders: [`/DC0/vm/${tenant}`], names: [], paths: [] },
    },
  };
}

/** A vCenter with a folder and two VMs per tenant, and each tenant's grants in place. */
function vcenter(name: string, uuid: string, tenants: TenantPolicy[]) {
  const b = new SnapshotBuilder();
  const dc = b.datacenter('DC0');
  const { rootPool } = b.cluster(dc, 'C0');
  const vms = new Map<string, ReturnType<SnapshotBuilder['vm']>[]>();
  for (const t of tenants) {
    const folder = b.folder(dc.vmFolder, t.tenant);
    vms.set(
      t.tenant,
      [1, 2].map((i) => b.vm(folder, rootPool, `${t.tenant}-${i}`)),
    );
  }
  const asr = b.role('Azure_Site_Recovery', ASR);
  const grantAll = (snapshot: Snapshot) => {
    const inventory = new Inventory(snapshot.entities, snapshot.rootFolder);
    for (const t of tenants) {
      for (const g of resolveTenant(t, inventory).grants) {
        b.permit(g.entity, t.account.principal, g.roleName === 'ReadOnly' ? ROLE.ReadOnly : asr);
      }
    }
  };
  grantAll(b.build());
  const build = (): AuditedVcenter => {
    const snapshot = b.build();
    snapshot.vcenter = { ...snapshot.vcenter, instanceUuid: uuid };
    return {
      name,
      url: `https://${name}.example.net/sdk`,
      tenants: tenants.map((t) => ({ policy: t, file: `tenants/${t.tenant}.yaml` })),
      snapshot,
      roleName: 'Azure_Site_Recovery',
      rolePrivileges: ASR,
    };
  };
  return { b, asr, vms, build };
}

function estate() {
  const dedicated = vcenter('vc-ded', 'uuid-ded', [policy('ded')]);
  const shared = vcenter('vc-shared', 'uuid-shared', [policy('contoso'), policy('fabrikam')]);
  return { dedicated, shared };
}

const audit = (vcs: FleetAuditInput['vcenters']) => runFleetAudit({ vcenters: vcs });

describe('fleet audit', () => {
  it('finds a correctly configured estate isolated, every row tagged with its vCenter', () => {
    const { dedicated, shared } = estate();
    const r = audit([dedicated.build(), shared.build()]);
    expect(r.findings).toEqual([]);
    expect(r.tenants.map((t) => [t.tenant, t.verdict, t.vcenters])).toEqual([
      ['ded', 'isolated', ['vc-ded']],
      ['contoso', 'isolated', ['vc-shared']],
      ['fabrikam', 'isolated', ['vc-shared']],
    ]);
    expect(r.tenants.find((t) => t.tenant === 'contoso')!.ownedObjects).toBe(2);
    expect(new Set(r.permissions.map((p) => `${p.vcenter}/${p.entity.vcenter}`))).toEqual(
      new Set(['vc-ded/uuid-ded', 'vc-shared/uuid-shared']),
    );
    const contosoRows = r.effectiveAccess.filter((a) => a.tenant === 'contoso');
    expect(contosoRows.length).toBeGreaterThan(0);
    expect(contosoRows.every((a) => a.vcenter === 'vc-shared')).toBe(true);
    expect(r.roles.filter((x) => x.name === 'Azure_Site_Recovery').map((x) => x.vcenter)).toEqual([
      'vc-ded',
      'vc-shared',
    ]);
    expect(r.vcenters.map((v) => [v.name, v.status, v.tenants])).toEqual([
      ['vc-ded', 'audited', ['ded']],
      ['vc-shared', 'audited', ['contoso', 'fabrikam']],
    ]);
  });

  it('tags findings of one vCenter with it, and the tenant verdict counts them', () => {
    const { dedicated, shared } = estate();
    // On the shared vCenter, contoso's account reaches a fabrikam VM.
    shared.b.permit(shared.vms.get('fabrikam')![0]!, 'VSPHERE.LOCAL\\asr-contoso', shared.asr);
    const r = audit([dedicated.build(), shared.build()]);
    const cross = r.findings.filter((f) => f.rule === 'cross-tenant-access');
    expect(cross.map((f) => [f.tenant, f.vcenter, f.entity?.vcenter, f.entity?.path])).toEqual([
      ['contoso', 'vc-shared', 'uuid-shared', '/DC0/vm/fabrikam/fabrikam-1'],
    ]);
    expect(r.tenants.find((t) => t.tenant === 'contoso')!.verdict).toBe('not isolated');
    expect(r.tenants.find((t) => t.tenant === 'ded')!.verdict).toBe('isolated');
    expect(r.vcenters.find((v) => v.name === 'vc-shared')!.findings.critical).toBe(1);
    expect(r.vcenters.find((v) => v.name === 'vc-ded')!.findings.critical).toBe(0);
  });

  it('finds an account of a tenant on one vCenter reaching another tenant’s VM on a second', () => {
    const { dedicated, shared } = estate();
    shared.b.permit(shared.vms.get('contoso')![1]!, 'VSPHERE.LOCAL\\asr-ded', shared.asr);
    const r = audit([dedicated.build(), shared.build()]);
    const cross = r.findings.filter((f) => f.rule === 'cross-tenant-access');
    expect(cross).toHaveLength(1);
    expect(cross[0]).toMatchObject({
      tenant: 'ded',
      principal: 'VSPHERE.LOCAL\\asr-ded',
      vcenter: 'vc-shared',
      severity: 'critical',
      entity: { vcenter: 'uuid-shared', path: '/DC0/vm/contoso/contoso-2' },
    });
    expect(cross[0]!.message).toMatch(
      /owned by tenant contoso.* on vCenter vc-shared; the account is tenant ded's on vc-ded/,
    );
    expect(cross[0]!.evidence.map((e) => e.entity.path)).toEqual(['/DC0/vm/contoso/contoso-2']);
    expect(r.tenants.find((t) => t.tenant === 'ded')!.verdict).toBe('not isolated');
  });

  it('finds one account used by tenants on different vCenters (one SSO domain)', () => {
    const dedicated = vcenter('vc-ded', 'uuid-ded', [policy('ded', 'VSPHERE.LOCAL\\asr-shared')]);
    const shared = vcenter('vc-shared', 'uuid-shared', [
      policy('contoso', 'VSPHERE.LOCAL\\ASR-SHARED'),
      policy('fabrikam'),
    ]);
    const r = audit([dedicated.build(), shared.build()]);
    const sp = r.findings.filter((f) => f.rule === 'shared-principal');
    expect(sp.map((f) => [f.tenant, f.vcenter]).sort()).toEqual([
      ['contoso', 'vc-shared'],
      ['ded', 'vc-ded'],
    ]);
    expect(sp.find((f) => f.tenant === 'ded')!.message).toMatch(
      /asr-shared \(vCenter vc-ded\) is also the account of tenant contoso \(vCenter vc-shared\)/,
    );
    expect(r.tenants.find((t) => t.tenant === 'fabrikam')!.verdict).toBe('isolated');
  });

  it('reports a shared account on one vCenter once (that vCenter’s own rule)', () => {
    const shared = vcenter('vc-shared', 'uuid-shared', [
      policy('contoso', 'VSPHERE.LOCAL\\asr-x'),
      policy('fabrikam', 'VSPHERE.LOCAL\\asr-x'),
    ]);
    const r = audit([shared.build()]);
    const sp = r.findings.filter((f) => f.rule === 'shared-principal');
    expect(sp.map((f) => f.tenant).sort()).toEqual(['contoso', 'fabrikam']);
    expect(sp.every((f) => f.vcenter === 'vc-shared')).toBe(true);
  });

  it('lists a failed vCenter with its reason; none of its tenants is isolated', () => {
    const { dedicated, shared } = estate();
    const r = audit(
      [
        dedicated.build(),
        {
          ...shared.build(),
          snapshot: undefined as never,
          error: 'connect ECONNREFUSED 127.0.0.1:1',
        },
      ].map((v) =>
        'error' in v ? { name: v.name, url: v.url, tenants: v.tenants, error: v.error } : v,
      ),
    );
    expect(r.vcenters.find((v) => v.name === 'vc-shared')).toMatchObject({
      status: 'failed',
      error: 'connect ECONNREFUSED 127.0.0.1:1',
      tenants: ['contoso', 'fabrikam'],
    });
    expect(r.tenants.map((t) => [t.tenant, t.verdict, t.unaudited])).toEqual([
      ['ded', 'isolated', undefined],
      ['contoso', 'not isolated', ['vc-shared']],
      ['fabrikam', 'not isolated', ['vc-shared']],
    ]);
    expect(r.warnings).toContain(
      'vcenter vc-shared: not audited: connect ECONNREFUSED 127.0.0.1:1',
    );
  });

  it('refuses the same vCenter twice (its objects would count twice)', () => {
    const { dedicated } = estate();
    const again = { ...dedicated.build(), name: 'vc-again' };
    expect(() => audit([dedicated.build(), again])).toThrow(InputError);
    expect(() => audit([dedicated.build(), again])).toThrow(
      /vc-ded and vc-again are the same vCenter/,
    );
  });

  it('makes one report: per-vCenter rows with snapshots, estate totals, Markdown and workbook with vCenters', async () => {
    const { dedicated, shared } = estate();
    shared.b.permit(shared.vms.get('contoso')![1]!, 'VSPHERE.LOCAL\\asr-ded', shared.asr);
    const ded = dedicated.build();
    const sh = shared.build();
    const result = audit([ded, sh]);
    const report = buildFleetReport(result, {
      snapshots: new Map([
        ['vc-ded', { snapshot: ded.snapshot, sha256: 'a'.repeat(64), file: 'snaps/vc-ded.json' }],
        ['vc-shared', { snapshot: sh.snapshot, sha256: 'b'.repeat(64) }],
      ]),
      scope: { tenantFiles: [], tenants: [], source: 'snapshot', avs: false, failOn: 'high' },
      inputs: [],
      generatedAt: new Date('2026-01-01T00:00:00Z'),
    });
    expect(
      report.vcenters!.map((v) => [v.name, v.snapshot?.sha256.slice(0, 1), v.snapshotFile]),
    ).toEqual([
      ['vc-ded', 'a', 'snaps/vc-ded.json'],
      ['vc-shared', 'b', undefined],
    ]);
    expect(report.snapshot.entityCount).toBe(
      ded.snapshot.entities.length + sh.snapshot.entities.length,
    );
    const md = renderMarkdown(report);
    expect(md).toContain('## vCenters');
    expect(md).toMatch(/\| vc-shared \| audited \| contoso, fabrikam \| 1 \| 0 \|/);
    expect(md).toMatch(/\| ded \| vc-ded \| \*\*not isolated\*\* \|/);
    expect(md).toMatch(/`cross-tenant-access` F-[0-9a-f]+, vCenter vc-shared, tenant ded/);

    // The workbook: a vCenter column on the findings, tenants, access and permissions sheets.
    const file = join(mkdtempSync(join(tmpdir(), 'drperm-fleet-')), 'fleet.xlsx');
    await writeWorkbook(report, file);
    const wb = await readWorkbook(file);
    for (const name of [SHEET_NAMES.findings, SHEET_NAMES.tenants, SHEET_NAMES.permissions]) {
      expect(headers(wb.getWorksheet(name)!)).toContain('vCenter');
    }
    const tenantsCol = column(wb.getWorksheet(SHEET_NAMES.tenants)!, 'vCenter').map((c) => c.text);
    expect(tenantsCol).toEqual(expect.arrayContaining(['vc-ded', 'vc-shared']));
  });
});

describe('fleet finding ids (report format 3)', () => {
  /** Two vCenters built alike, the same tenant on both, the same propagating grant on each. */
  function twins() {
    const ts = [policy('contoso'), policy('fabrikam')];
    const a = vcenter('vc-a', 'uuid-a', ts);
    const b = vcenter('vc-b', 'uuid-b', ts);
    for (const x of [a, b])
      x.b.permit(x.vms.get('fabrikam')![0]!, 'VSPHERE.LOCAL\\asr-contoso', x.asr);
    return [a, b] as const;
  }

  it('gives the same finding on two vCenters two ids, the same ids on every run', () => {
    const [a, b] = twins();
    const first = audit([a.build(), b.build()]);
    const again = audit([a.build(), b.build()]);
    expect(first.findings.length).toBeGreaterThan(1);
    const byVcenter = (r: typeof first, v: string) =>
      r.findings.filter((f) => f.vcenter === v).map((f) => f.id);
    const onA = byVcenter(first, 'vc-a');
    const onB = byVcenter(first, 'vc-b');
    expect(onA.length).toBe(onB.length);
    expect(onA.filter((id) => onB.includes(id))).toEqual([]);
    expect(new Set(first.findings.map((f) => f.id)).size).toBe(first.findings.length);
    expect(again.findings.map((f) => f.id)).toEqual(first.findings.map((f) => f.id));
  });

  it('keeps single-vCenter ids those of format 2, and names the format 2 id of a fleet finding', () => {
    const [a] = twins();
    const single = runAudit({
      snapshot: a.build().snapshot,
      tenants: [{ policy: policy('contoso') }, { policy: policy('fabrikam') }],
      roleName: 'Azure_Site_Recovery',
      rolePrivileges: ASR,
    });
    for (const f of single.findings) {
      expect(f.vcenter).toBeUndefined();
      expect(f.id).toBe(formatTwoFindingId(f));
    }
    const fleet = audit([a.build()]);
    for (const f of fleet.findings) {
      expect(f.id).not.toBe(formatTwoFindingId(f));
      expect(f.id).toBe(findingId(f));
    }
    // The fleet finding without its vCenter is the single audit's finding.
    expect(fleet.findings.map((f) => formatTwoFindingId(f)).sort()).toEqual(
      single.findings.map((f) => f.id).sort(),
    );
  });

  it('--previous follows a format 2 fleet report by its old id and vCenter', () => {
    const [a, b] = twins();
    const now = audit([a.build(), b.build()]).findings;
    const onA = now.filter((f) => f.vcenter === 'vc-a');
    // The old report: only vc-a's findings, with format 2 ids and a review on the first.
    const previous = {
      file: 'old.json',
      fleetIdsWithoutVcenter: true,
      findings: onA.map((f, i) => ({
        id: formatTwoFindingId(f),
        vcenter: 'vc-a',
        severity: f.severity,
        rule: f.rule,
        tenant: f.tenant,
        principal: f.principal,
        message: f.message,
        ...(i === 0 ? { review: { status: 'accepted', owner: 'ops' } } : {}),
      })),
    };
    const { findings, comparison } = compareWithPrevious(now, previous);
    expect(comparison.counts).toEqual({
      new: now.length - onA.length,
      unchanged: onA.length,
      resolved: 0,
    });
    expect(
      findings.filter((f) => f.change === 'unchanged').every((f) => f.vcenter === 'vc-a'),
    ).toBe(true);
    expect(findings.find((f) => f.id === onA[0]!.id)!.review).toEqual({
      status: 'accepted',
      owner: 'ops',
    });
  });
});

describe('NSX Managers of the estate', () => {
  it('counts NSX findings in the verdict, and a failed manager leaves its tenants not isolated', () => {
    const { dedicated, shared } = estate();
    const nsxFinding = {
      rule: 'nsx-unsupported-role' as const,
      severity: 'high' as const,
      tenant: 'contoso',
      principal: 'contoso-ops',
      vcenter: 'vc-shared',
      message: 'LDAP group contoso-ops is bound to Enterprise Admin (NSX Manager nsx-shared)',
      evidence: [],
      details: ['NSX Manager nsx-shared (https://nsx.example)'],
      remediation: 'Bind a supported role.',
    };
    const r = runFleetAudit({
      vcenters: [dedicated.build(), shared.build()],
      extraFindings: [nsxFinding],
      nsxManagers: [
        { name: 'nsx-shared', vcenter: 'vc-shared' },
        { name: 'nsx-ded', vcenter: 'vc-ded', error: 'connect ETIMEDOUT' },
      ],
    });
    expect(r.findings.map((f) => [f.rule, f.vcenter])).toEqual([
      ['nsx-unsupported-role', 'vc-shared'],
    ]);
    expect(r.findings[0]!.id).toMatch(/^F-[0-9a-f]{12}$/);
    expect(r.tenants.map((t) => [t.tenant, t.verdict, t.unaudited])).toEqual([
      ['ded', 'not isolated', ['NSX Manager nsx-ded']],
      ['contoso', 'not isolated', undefined],
      ['fabrikam', 'isolated', undefined],
    ]);
    expect(r.warnings).toContain('NSX Manager nsx-ded: not audited: connect ETIMEDOUT');
    // A manager that serves no named vCenter concerns every tenant.
    const all = runFleetAudit({
      vcenters: [dedicated.build(), shared.build()],
      nsxManagers: [{ name: 'nsx-any', error: 'refused' }],
    });
    expect(all.tenants.every((t) => t.verdict === 'not isolated')).toBe(true);
  });
});
