/** `drperm nsx ...` as users run it (dist/cli.js), against drperm's NSX Manager test server. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../../src/audit/types';
import { runCli } from '../../helpers/run-cli';
import { loadNsxFixture, startNsxServer, type RunningNsxServer } from '../../lab/nsx-server';

const TENANTS = join(__dirname, 'fixtures', 'tenants');
const SHARED = join(__dirname, 'fixtures', 'shared-principal');
const work = mkdtempSync(join(tmpdir(), 'drperm-nsx-cli-'));

function nsxEnv(s: RunningNsxServer): NodeJS.ProcessEnv {
  return {
    DRPERM_NSX_URL: s.url,
    DRPERM_NSX_USERNAME: s.username,
    DRPERM_NSX_PASSWORD: s.password,
    DRPERM_NSX_THUMBPRINT: s.thumbprintSha256,
  };
}

async function withServer<T>(
  options: Parameters<typeof startNsxServer>[0],
  fn: (s: RunningNsxServer) => Promise<T>,
): Promise<T> {
  const s = await startNsxServer(options);
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
}

/** A change made behind drperm's back (basic auth, as a script or the UI would). */
function putAsUiUser(s: RunningNsxServer, path: string, body: unknown): Promise<number> {
  const auth = Buffer.from(`${s.username}:${s.password}`).toString('base64');
  return new Promise((resolve, reject) => {
    const req = request(
      `${s.url}${path}`,
      {
        method: 'PUT',
        ca: readFileSync(s.certFile),
        headers: { Authorization: `Basic ${auth}`, 'Content-Type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const puts = (s: RunningNsxServer) => s.requests.filter((r) => r.method === 'PUT');
const sessionCreates = (s: RunningNsxServer) =>
  s.requests.filter((r) => r.url === '/api/session/create').length;

describe('drperm nsx collect', () => {
  it('writes an NSX snapshot read through several pages, and never prints the password', () =>
    withServer({ scenario: 'avs', pageSize: 3 }, async (s) => {
      const out = join(work, 'avs.json');
      const r = await runCli(['-v', 'nsx', 'collect', '--out', out, '--json'], { env: nsxEnv(s) });
      expect(r.stderr).not.toContain(s.password);
      expect(r.code).toBe(0);
      const result = JSON.parse(r.stdout) as { counts: Record<string, number>; sha256: string };
      expect(result.counts).toEqual({ features: 44, roles: 15, bindings: 7 });
      const file = JSON.parse(readFileSync(out, 'utf8')) as {
        format: string;
        nsx: { roles: unknown[] };
      };
      expect(file.format).toBe('drperm-nsx-snapshot');
      expect(file.nsx.roles).toHaveLength(15);
      const rolePages = s.requests.filter((q) =>
        q.url.startsWith('/policy/api/v1/aaa/roles-with-feature-permissions'),
      );
      expect(rolePages).toHaveLength(5);
    }));

  it('recovers once from a session that expires mid-run', () =>
    withServer({ scenario: 'avs', pageSize: 3 }, async (s) => {
      s.expireSessionsAfter(6);
      const r = await runCli(['nsx', 'collect', '--out', join(work, 'expiry.json'), '--json'], {
        env: nsxEnv(s),
      });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('NSX session refused (HTTP 401); logging in again');
      expect(JSON.parse(r.stdout)).toMatchObject({
        counts: { features: 44, roles: 15, bindings: 7 },
      });
      expect(sessionCreates(s)).toBe(2);
    }));

  it('refuses a certificate that does not match the pin before sending anything (exit 3)', () =>
    withServer({ scenario: 'clean' }, async (s) => {
      const r = await runCli(
        [
          'nsx',
          'collect',
          '--out',
          join(work, 'x.json'),
          '--thumbprint',
          s.thumbprintSha1.replace(/^../, s.thumbprintSha1.startsWith('00') ? '11' : '00'),
        ],
        {
          env: nsxEnv(s),
        },
      );
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/does not match the pinned SHA-1 thumbprint/);
      expect(s.requests).toHaveLength(0);
    }));

  it('asks for the password rather than guessing when none is given (exit 2)', () =>
    withServer({ scenario: 'clean' }, async (s) => {
      const env = { ...nsxEnv(s), DRPERM_NSX_PASSWORD: '' };
      const r = await runCli(['nsx', 'collect'], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('no NSX password given');
    }));
});

interface AuditJson {
  findings: Finding[];
  baseline: { limitSource: string; cloudadminRole: string; notes: string[] };
  bindings: { principal: string; rules: string }[];
}

describe('drperm nsx audit', () => {
  it('finds each rule on the AVS fixture (live, exit 1)', () =>
    withServer({ scenario: 'avs' }, async (s) => {
      const r = await runCli(['nsx', 'audit', '--tenants', TENANTS, '--json'], { env: nsxEnv(s) });
      expect(r.code).toBe(1);
      const audit = JSON.parse(r.stdout) as AuditJson;
      expect(audit.baseline).toMatchObject({
        limitSource: 'server-role',
        cloudadminRole: 'cloud_admin',
        notes: [],
      });
      expect(audit.findings.map((f) => [f.rule, f.severity, f.tenant, f.principal])).toEqual([
        ['nsx-cross-tenant-binding', 'critical', 'contoso', 'jdoe@contoso.example'],
        ['nsx-role-exceeds-cloudadmin', 'high', 'contoso', 'contoso-nsx-admins@corp.example'],
        ['nsx-unsupported-role', 'high', 'fabrikam', 'fabrikam-netops@corp.example'],
      ]);
      expect(
        audit.bindings.find((b) => b.principal === 'fabrikam-netops@corp.example')?.rules,
      ).toBe('nsx-unsupported-role');
    }));

  it('finds nothing on the clean fixture (exit 0)', () =>
    withServer({ scenario: 'clean' }, async (s) => {
      const r = await runCli(['nsx', 'audit', '--tenants', TENANTS], { env: nsxEnv(s) });
      expect(r.stderr).toBe('NSX: 44 features\nNSX: 14 roles\nNSX: 7 role bindings\n');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('No NSX findings.');
    }));

  it('finds one principal named by two tenants, even on the clean fixture', () =>
    withServer({ scenario: 'clean' }, async (s) => {
      const r = await runCli(['nsx', 'audit', '--tenants', TENANTS, SHARED, '--json'], {
        env: nsxEnv(s),
      });
      expect(r.code).toBe(1);
      const audit = JSON.parse(r.stdout) as AuditJson;
      expect(audit.findings.map((f) => [f.rule, f.tenant, f.message])).toEqual([
        [
          'nsx-cross-tenant-binding',
          'contoso',
          'NSX principal contoso-nsx-admins@corp.example of tenant contoso is also named by tenant northwind',
        ],
        // Seen from northwind, "its" group is bound on contoso's project.
        [
          'nsx-cross-tenant-binding',
          'northwind',
          'NSX principal contoso-nsx-admins@corp.example of tenant northwind is bound on /orgs/default/projects/contoso, which reaches tenant contoso',
        ],
        [
          'nsx-cross-tenant-binding',
          'northwind',
          'NSX principal Contoso-NSX-Admins@corp.example of tenant northwind is also named by tenant contoso',
        ],
      ]);
    }));

  it('audits a collected snapshot offline, and --fail-on critical ignores the high findings', () =>
    withServer({ scenario: 'avs' }, async (s) => {
      const snap = join(work, 'offline.json');
      expect((await runCli(['nsx', 'collect', '--out', snap], { env: nsxEnv(s) })).code).toBe(0);
      const before = s.requests.length;
      const r = await runCli([
        'nsx',
        'audit',
        '--tenants',
        TENANTS,
        '--snapshot',
        snap,
        '--fail-on',
        'critical',
      ]);
      expect(s.requests.length).toBe(before);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('3 NSX findings: 1 critical, 2 high');
      const highOnly = await runCli([
        'nsx',
        'audit',
        '--tenants',
        join(TENANTS, 'fabrikam.yaml'),
        '--snapshot',
        snap,
        '--fail-on',
        'critical',
      ]);
      expect(highOnly.stdout).toContain('HIGH nsx-unsupported-role');
      expect(highOnly.code).toBe(0);
    }));

  it('rejects a bad --fail-on and a file that is not a snapshot (exit 2)', async () => {
    const bad = await runCli([
      'nsx',
      'audit',
      '--tenants',
      TENANTS,
      '--snapshot',
      'x',
      '--fail-on',
      'severe',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--fail-on "severe" is not a severity');
    expect(bad.stderr).toContain('use one of critical, high, medium, low, info');
    const notSnap = await runCli([
      'nsx',
      'audit',
      '--tenants',
      TENANTS,
      '--snapshot',
      join(TENANTS, 'contoso.yaml'),
    ]);
    expect(notSnap.code).toBe(2);
    expect(notSnap.stderr).toContain('is not JSON');
  });
});

describe('drperm nsx role', () => {
  it('plans, applies both AVS custom roles, and a second apply changes nothing', () =>
    withServer({ scenario: 'avs' }, async (s) => {
      const env = nsxEnv(s);
      // Plans exit 0; with --detailed-exitcode, 1 while changes are pending.
      expect((await runCli(['nsx', 'role', 'plan', 'avs-network-admin'], { env })).code).toBe(0);
      const plan = await runCli(
        ['nsx', 'role', 'plan', 'avs-network-admin', '--detailed-exitcode'],
        {
          env,
        },
      );
      expect(plan.code).toBe(1);
      expect(plan.stdout.trimEnd().split('\n').at(-1)).toBe(
        'Plan: 1 to add, 0 to change, 0 to remove',
      );
      expect(plan.stdout).toContain(
        '+ create NSX role avs_network_admin "AVS Network Admin", cloned from Network Admin (network_engineer)',
      );
      expect(plan.stdout).toContain('lowered Tier-0 Gateways (policy_t0): crud -> read');
      expect(puts(s)).toHaveLength(0);

      const refused = await runCli(['nsx', 'role', 'apply', 'avs-network-admin'], { env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('pass --yes');
      expect(puts(s)).toHaveLength(0);

      for (const name of ['avs-network-admin', 'avs-security-admin']) {
        const r = await runCli(['nsx', 'role', 'apply', name, '--yes'], { env });
        expect(r.stderr).not.toMatch(/warning|error/);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/created NSX role avs_(network|security)_admin/);
      }
      expect(puts(s).map((p) => p.url)).toEqual([
        '/policy/api/v1/aaa/roles/avs_network_admin',
        '/policy/api/v1/aaa/roles/avs_security_admin',
      ]);
      const sent = JSON.parse(puts(s)[1]!.body) as {
        features: { feature: string; permission: string }[];
      };
      const perm = (id: string) => sent.features.find((f) => f.feature === id)?.permission;
      expect([
        perm('policy_forwarding_policy'),
        perm('policy_service_insertion'),
        perm('policy_endpoint_protection'),
        perm('policy_service_profiles'),
        perm('policy_dfw'),
      ]).toEqual(['none', 'none', 'none', 'none', 'crud']);

      for (const name of ['avs-network-admin', 'avs-security-admin']) {
        const again = await runCli(['nsx', 'role', 'apply', name, '--yes', '--json'], { env });
        expect(again.code).toBe(0);
        expect(JSON.parse(again.stdout)).toMatchObject({
          applied: false,
          change: { action: 'none' },
        });
      }
      expect(puts(s)).toHaveLength(2);
      const collected = await runCli(['nsx', 'audit', '--tenants', TENANTS, '--json'], { env });
      const roleFindings = (JSON.parse(collected.stdout) as AuditJson).findings.filter(
        (f) => f.rule === 'nsx-role-exceeds-cloudadmin',
      );
      expect(roleFindings.map((f) => f.message)).toEqual([expect.stringContaining('tenant_ops')]);
    }));

  it('updates a role that drifted, sending its revision', () =>
    withServer({ scenario: 'clean' }, async (s) => {
      const env = nsxEnv(s);
      expect(
        (await runCli(['nsx', 'role', 'apply', 'avs-network-admin', '--yes'], { env })).code,
      ).toBe(0);
      // Someone lowers Segments by hand in the UI.
      const fixtureRole = JSON.parse(puts(s)[0]!.body) as Record<string, unknown> & {
        features: { feature: string; permission: string }[];
      };
      fixtureRole.features = fixtureRole.features.map((f) =>
        f.feature === 'policy_segment' ? { ...f, permission: 'read' } : f,
      );
      fixtureRole._revision = 0;
      expect(await putAsUiUser(s, '/policy/api/v1/aaa/roles/avs_network_admin', fixtureRole)).toBe(
        200,
      );
      const plan = await runCli(
        ['nsx', 'role', 'plan', 'avs-network-admin', '--detailed-exitcode'],
        {
          env,
        },
      );
      expect(plan.code).toBe(1);
      expect(plan.stdout).toContain('Plan: 0 to add, 1 to change, 0 to remove');
      expect(plan.stdout).toContain('~ update NSX role avs_network_admin');
      expect(plan.stdout).toContain('Segments (policy_segment): read -> crud');
      const apply = await runCli(['nsx', 'role', 'apply', 'avs-network-admin', '--yes'], { env });
      expect(apply.code).toBe(0);
      expect(JSON.parse(puts(s).at(-1)!.body)).toMatchObject({ _revision: 1 });
    }));

  it('refuses a role above cloudadmin before anything is sent (exit 2)', async () => {
    // A manager whose cloudadmin may only read Segments: Network Admin's crud there cannot be cloned.
    const fixture = loadNsxFixture('avs');
    const cloudadmin = fixture.roles.find((r) => r.display_name === 'cloudadmin')!;
    cloudadmin.permissions!.crud = cloudadmin.permissions!.crud!.filter(
      (f) => f !== 'policy_segment',
    );
    await withServer({ fixture }, async (s) => {
      const r = await runCli(['nsx', 'role', 'apply', 'avs-network-admin', '--yes'], {
        env: nsxEnv(s),
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'refusing to send NSX role avs_network_admin: it would hold more than cloudadmin on Segments (policy_segment: crud, cloudadmin read)',
      );
      expect(puts(s)).toHaveLength(0);
      expect(s.requests.every((q) => q.method !== 'PUT')).toBe(true);
    });
  });

  it('suggests the nearest name for a typo without connecting (exit 2)', async () => {
    const r = await runCli(['nsx', 'role', 'plan', 'avs-secrity-admin']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean avs-security-admin?');
  });
});
