import { auditNsx, type NsxTenant } from '../../../src/audit/rules/nsx';
import { loadNsxBaseline, resolveNsxBaseline } from '../../../src/policy/nsx-baseline';
import { nsxWorkbookRows } from '../../../src/report/nsx-sheet';
import { binding, CLOUDADMIN, NETWORK_ADMIN, nsxData, role } from '../nsx/data';

it('gives one row per binding, path and role, tagged with the findings it is evidence for', async () => {
  const tenants: NsxTenant[] = [
    { tenant: 'contoso', nsx: { principals: ['c@corp'], paths: ['/p/contoso'] } },
    { tenant: 'fabrikam', nsx: { principals: ['f@corp'], paths: ['/p/fabrikam'] } },
  ];
  const data = nsxData(
    [CLOUDADMIN, NETWORK_ADMIN, role('lb_admin', 'LB Admin', {}, { systemOwned: true })],
    [
      binding('c@corp', 'remote_group', {
        '/p/contoso': ['lb_admin'],
        '/p/fabrikam': ['network_engineer'],
      }),
      binding('cloudadmin', 'local_user', { '/': ['cloud_admin'] }, undefined),
    ],
  );
  const baseline = resolveNsxBaseline(data, await loadNsxBaseline());
  const findings = auditNsx(data, tenants, baseline);
  const rows = nsxWorkbookRows(data, findings, { baseline, tenants });
  expect(
    rows.map((r) => [r.tenant, r.principal, r.path, r.roleId, r.roleKind, r.rules, r.severity]),
  ).toEqual([
    ['contoso', 'c@corp', '/p/contoso', 'lb_admin', 'supported', '', ''],
    [
      'contoso',
      'c@corp',
      '/p/fabrikam',
      'network_engineer',
      'unsupported',
      'nsx-cross-tenant-binding, nsx-unsupported-role',
      'critical',
    ],
    ['', 'cloudadmin', '/', 'cloud_admin', 'cloudadmin', '', ''],
  ]);
  expect(rows[1]).toMatchObject({
    principalType: 'remote_group',
    identitySource: 'LDAP',
    roleName: 'Network Admin',
  });
});
