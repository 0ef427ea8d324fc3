/**
 * Acceptance of `drperm audit --ldap` on the lab and a real OpenLDAP: fabrikam's account
 * reaches contoso's VMs only through CORP\dr-operators ⊃ dr-tier2 ⊃ dr-tier3 ⊃ asr-fabrikam,
 * a nested directory group granted on contoso's folder. With the directory the audit names
 * the leak and the membership chain; without it, the group is reported unresolved.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { startLab, type OwnLab } from '../../helpers/lab';
import { labEnv } from '../../helpers/lab-info';
import { runCli, type CliResult } from '../../helpers/run-cli';
import { startDirectory, type TestDirectory } from '../../ldap/slapd';
import { CONTOSO, scratch, tenantObjects } from '../tenant/tenant-lab';
import {
  grantGroup,
  READ_ONLY_ROLE_ID,
  readReport,
  reportTexts,
  writeTenants,
} from './directory-lab';

const FABRIKAM_AD = 'CORP\\asr-fabrikam';
const OPERATORS = 'CORP\\dr-operators';
const CONTOSO_VMS = tenantObjects('contoso').filter((p) => p.startsWith('/DC0/vm/'));

describe('drperm audit --ldap on the lab and OpenLDAP', () => {
  let lab: OwnLab;
  let directory: TestDirectory;
  let dir: string;
  let tenants: string;

  const ldapArgs = (url = directory.ldapsUrl, base = 'CORP,CORP.EXAMPLE=dc=corp,dc=example') => [
    '--ldap',
    url,
    '--ldap-ca-file',
    directory.caFile,
    '--ldap-bind-dn',
    directory.bindDn,
    '--ldap-base-dn',
    base,
  ];
  const cli = (args: string[], password = directory.password): Promise<CliResult> =>
    runCli(args, { env: { ...labEnv(lab), DRPERM_LDAP_PASSWORD: password }, cwd: dir });
  const audit = (out: string, ...extra: string[]) =>
    cli(['audit', '--tenants', tenants, '--format', 'json,md', '--out', join(dir, out), ...extra]);

  beforeAll(async () => {
    [lab, directory] = await Promise.all([startLab('lab'), startDirectory()]);
    dir = scratch();
    tenants = join(dir, 'tenants');
    mkdirSync(tenants);
    writeTenants(
      tenants,
      { principal: CONTOSO, group: false },
      { principal: FABRIKAM_AD, group: false },
    );
    await grantGroup(lab, '/DC0/vm/contoso', OPERATORS, READ_ONLY_ROLE_ID);
  }, 120000);

  afterAll(async () => {
    await Promise.all([lab?.stop(), directory?.stop()]);
  });

  it('finds the leak through the nested group, with the membership chain as evidence', async () => {
    const result = await audit('ldap', ...ldapArgs());
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/fabrikam\s+not isolated/);
    const report = readReport(join(dir, 'ldap'));
    const cross = report.findings.filter(
      (f) => f.rule === 'cross-tenant-access' && f.tenant === 'fabrikam',
    );
    expect(cross.map((f) => f.entity!.path).sort()).toEqual([...CONTOSO_VMS].sort());
    for (const f of cross) {
      const grant = f.evidence.find((e) => e.principal === OPERATORS)!;
      expect(grant).toMatchObject({ entity: { path: '/DC0/vm/contoso' }, group: true });
      expect(grant.membershipChain!.map((e) => [e.member, e.group])).toEqual([
        ['CORP\\asr-fabrikam', 'CORP\\dr-tier3'],
        ['CORP\\dr-tier3', 'CORP\\dr-tier2'],
        ['CORP\\dr-tier2', 'CORP\\dr-operators'],
      ]);
      expect(grant.membershipChain!.every((e) => e.source === 'ldap')).toBe(true);
      expect(f.details!.join('\n')).toContain(
        `CORP\\asr-fabrikam is a member of CORP\\dr-tier3 (ldap ${directory.ldapsUrl}`,
      );
    }
    expect(
      report.findings.some(
        (f) => f.rule === 'group-grant-unresolved' && f.message.includes(OPERATORS),
      ),
    ).toBe(false);
    const group = report.membership!.groups.find((g) => g.group === OPERATORS)!;
    expect(group).toMatchObject({
      sourceKind: 'ldap',
      sourceLocation: directory.ldapsUrl,
      directMembers: 2,
      users: 3,
    });
    expect(group.nestedGroups.sort()).toEqual(['CORP\\dr-tier2', 'CORP\\dr-tier3']);
    // The lab's own SSO groups stay unresolved: no source covers them here.
    expect(report.membership!.unresolved.map((u) => u.group)).toContain(
      'VSPHERE.LOCAL\\backup-admins',
    );
    // The Markdown summary shows where the group's members came from.
    expect(reportTexts(join(dir, 'ldap'))).toMatch(/CORP\\+dr-operators: members from ldap/);
    expect(`${result.stdout}${result.stderr}${reportTexts(join(dir, 'ldap'))}`).not.toContain(
      directory.password,
    );
  }, 120000);

  it('without membership reports the group unresolved instead of a leak', async () => {
    const result = await audit('none');
    const report = readReport(join(dir, 'none'));
    expect(
      report.findings.some((f) => f.rule === 'cross-tenant-access' && f.tenant === 'fabrikam'),
    ).toBe(false);
    const unresolved = report.findings.filter(
      (f) => f.rule === 'group-grant-unresolved' && f.tenant === 'fabrikam',
    );
    expect(unresolved.map((f) => f.evidence[0]!.principal)).toContain(OPERATORS);
    expect(result.code).toBe(0);
  }, 120000);

  it('records the directory in a snapshot (StartTLS) so that an offline audit finds the same', async () => {
    const snapshot = join(dir, 'snapshot.json');
    const collected = await cli(['collect', '--out', snapshot, ...ldapArgs(directory.ldapUrl)]);
    expect(collected.stderr).not.toMatch(/error/i);
    expect(collected.code).toBe(0);
    expect(collected.stdout).toMatch(/membership: +\d+ groups/);
    const offline = await runCli(
      [
        'audit',
        '--tenants',
        tenants,
        '--snapshot',
        snapshot,
        '--format',
        'json',
        '--out',
        join(dir, 'offline'),
      ],
      { cwd: dir },
    );
    expect(offline.code).toBe(1);
    const report = readReport(join(dir, 'offline'));
    const cross = report.findings.filter(
      (f) => f.rule === 'cross-tenant-access' && f.tenant === 'fabrikam',
    );
    expect(cross.map((f) => f.entity!.path).sort()).toEqual([...CONTOSO_VMS].sort());
    expect(cross[0]!.evidence.find((e) => e.principal === OPERATORS)!.membershipChain).toHaveLength(
      3,
    );
    expect(report.membership!.sources).toEqual([
      expect.objectContaining({ kind: 'ldap', location: directory.ldapUrl }),
    ]);
  }, 120000);

  it("names a user in both tenants' group accounts (shared-principal)", async () => {
    const shared = join(dir, 'shared-tenants');
    mkdirSync(shared);
    writeTenants(
      shared,
      { principal: 'CORP\\contoso-asr', group: true },
      { principal: 'CORP\\fabrikam-asr', group: true },
    );
    const result = await cli([
      'audit',
      '--tenants',
      shared,
      '--format',
      'json',
      '--out',
      join(dir, 'shared'),
      ...ldapArgs(),
    ]);
    expect(result.code).toBe(1);
    const findings = readReport(join(dir, 'shared')).findings.filter(
      (f) => f.rule === 'shared-principal',
    );
    expect(findings.map((f) => f.tenant).sort()).toEqual(['contoso', 'fabrikam']);
    for (const f of findings) {
      expect(f.severity).toBe('critical');
      expect(f.message).toContain('CORP\\shared-svc');
    }
  }, 120000);

  it('refuses a wrong bind password: exit 3, a clear message, the password nowhere', async () => {
    const wrong = 'Not-The-Password-9f3';
    const result = await cli(
      ['audit', '--tenants', tenants, '--out', join(dir, 'wrong'), ...ldapArgs()],
      wrong,
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/LDAP bind to .* failed: invalid credentials/);
    expect(`${result.stdout}${result.stderr}`).not.toContain(wrong);
  }, 120000);

  it('says so when the directory server is down (exit 3)', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const result = await cli([
      'audit',
      '--tenants',
      tenants,
      '--out',
      join(dir, 'down'),
      ...ldapArgs(`ldaps://127.0.0.1:${port}`),
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /cannot reach the LDAP server ldaps:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
  }, 120000);

  it('refuses a base DN that does not exist (exit 2)', async () => {
    const result = await cli([
      'audit',
      '--tenants',
      tenants,
      '--out',
      join(dir, 'nobase'),
      ...ldapArgs(directory.ldapsUrl, 'CORP=dc=nowhere,dc=example'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--ldap-base-dn CORP=dc=nowhere,dc=example: no such entry/);
  }, 120000);
});
