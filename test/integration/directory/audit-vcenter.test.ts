/**
 * `--membership-from vcenter` on the lab's SSO users and groups (test/sim scenario `lab`:
 * asr-fabrikam ∈ asr-accounts ∈ service-accounts), read through UserDirectory.RetrieveUserGroups.
 * service-accounts granted on contoso's folder lets fabrikam's account reach contoso's VMs
 * through two levels of nesting: the audit must name the leak with the chain, live and from
 * a snapshot collected with --membership-from vcenter; without membership the group is unresolved.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from '../../../src/model/snapshot';
import { startLab, type OwnLab } from '../../helpers/lab';
import { labEnv } from '../../helpers/lab-info';
import { runCli, type CliResult } from '../../helpers/run-cli';
import { FABRIKAM, scratch, TENANTS_DIR, tenantObjects } from '../tenant/tenant-lab';
import { grantGroup, READ_ONLY_ROLE_ID, readReport } from './directory-lab';

const SERVICE_ACCOUNTS = 'VSPHERE.LOCAL\\service-accounts';
const CONTOSO_VMS = tenantObjects('contoso').filter((p) => p.startsWith('/DC0/vm/'));

describe('drperm audit --membership-from vcenter on the lab', () => {
  let lab: OwnLab;
  let dir: string;
  const cli = (args: string[]): Promise<CliResult> => runCli(args, { env: labEnv(lab), cwd: dir });
  const audit = (out: string, ...extra: string[]) =>
    cli(['audit', '--tenants', TENANTS_DIR, '--format', 'json', '--out', join(dir, out), ...extra]);
  const fabrikamLeaks = (out: string) =>
    readReport(join(dir, out)).findings.filter(
      (f) => f.rule === 'cross-tenant-access' && f.tenant === 'fabrikam',
    );

  beforeAll(async () => {
    lab = await startLab('lab');
    dir = scratch();
    await grantGroup(lab, '/DC0/vm/contoso', SERVICE_ACCOUNTS, READ_ONLY_ROLE_ID);
  }, 120000);

  afterAll(async () => {
    await lab?.stop();
  });

  it('finds the leak through the nested SSO group, with the chain from the user directory', async () => {
    const result = await audit('vcenter', '--membership-from', 'vcenter');
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(1);
    const cross = fabrikamLeaks('vcenter');
    expect(cross.map((f) => f.entity!.path).sort()).toEqual([...CONTOSO_VMS].sort());
    for (const f of cross) {
      const grant = f.evidence.find((e) => e.principal === SERVICE_ACCOUNTS)!;
      expect(grant.membershipChain!.map((e) => [e.member, e.group, e.source])).toEqual([
        [FABRIKAM, 'VSPHERE.LOCAL\\asr-accounts', 'vcenter'],
        ['VSPHERE.LOCAL\\asr-accounts', SERVICE_ACCOUNTS, 'vcenter'],
      ]);
    }
    const report = readReport(join(dir, 'vcenter'));
    expect(report.membership!.sources).toEqual([
      expect.objectContaining({ kind: 'vcenter', location: expect.stringMatching(/^https:\/\//) }),
    ]);
    const group = report.membership!.groups.find((g) => g.group === SERVICE_ACCOUNTS)!;
    expect(group.sourceKind).toBe('vcenter');
    expect(group.nestedGroups.sort()).toEqual([
      'VSPHERE.LOCAL\\asr-accounts',
      'VSPHERE.LOCAL\\backup-admins',
    ]);
  }, 120000);

  it('without membership reports service-accounts unresolved instead', async () => {
    expect((await audit('none')).code).toBe(0);
    expect(fabrikamLeaks('none')).toEqual([]);
    const unresolved = readReport(join(dir, 'none')).findings.filter(
      (f) => f.rule === 'group-grant-unresolved' && f.tenant === 'fabrikam',
    );
    expect(unresolved.map((f) => f.evidence[0]!.principal)).toContain(SERVICE_ACCOUNTS);
  }, 120000);

  it('collect --membership-from vcenter records the edges, and an offline audit finds the same', async () => {
    const file = join(dir, 'snapshot.json');
    const collected = await cli(['collect', '--membership-from', 'vcenter', '--out', file]);
    expect(collected.code).toBe(0);
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
    expect(snapshot.membership!.edges).toContainEqual(
      expect.objectContaining({
        group: SERVICE_ACCOUNTS,
        member: 'VSPHERE.LOCAL\\asr-accounts',
        memberIsGroup: true,
        source: 'vcenter',
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    );
    const offline = await runCli(
      [
        'audit',
        '--tenants',
        TENANTS_DIR,
        '--snapshot',
        file,
        '--format',
        'json',
        '--out',
        join(dir, 'offline'),
      ],
      { cwd: dir },
    );
    expect(offline.code).toBe(1);
    expect(
      fabrikamLeaks('offline')
        .map((f) => f.entity!.path)
        .sort(),
    ).toEqual([...CONTOSO_VMS].sort());
  }, 120000);

  it('refuses --membership-from vcenter with --snapshot (exit 2)', async () => {
    const result = await audit(
      'refused',
      '--membership-from',
      'vcenter',
      '--snapshot',
      join(dir, 'snapshot.json'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs a live vCenter/);
  });
});
