/**
 * Hand-built AuditReports for the report writers: two tenants, one leak, and VM names
 * chosen to trip formula injection, Markdown and XML escaping.
 */
import {
  AUDIT_REPORT_FORMAT_VERSION,
  type AuditReport,
  type EffectiveAccessRow,
} from '../../../src/audit/report-model';
import type { EntityRef, PermissionEvidence, TrackedFinding } from '../../../src/audit/types';

/** Names that must reach every report as the inventory spells them (control characters in the one display form). */
export const HOSTILE_NAMES = [
  '=contoso&<legacy>',
  'a|b',
  '+1',
  '-1',
  '@x',
  '\tTab-led',
  '\rCR-led',
  '=HYPERLINK("http://evil","x")',
  'literal _x0041_ stays',
] as const;

/** Instance UUID of the fixture's vCenter. */
export const VCENTER = '4a0c2f3e-0000-4000-8000-000000000001';

export function vm(name: string, folder = 'contoso', moref = `vm-${name.length}`): EntityRef {
  return { vcenter: VCENTER, moref, type: 'VirtualMachine', path: `/DC0/vm/${folder}/${name}` };
}

export function grant(
  entity: EntityRef,
  principal: string,
  overrides: Partial<PermissionEvidence> = {},
): PermissionEvidence {
  return {
    entity,
    principal,
    group: false,
    roleId: 1001,
    roleName: 'Azure_Site_Recovery',
    propagate: false,
    ...overrides,
  };
}

const CONTOSO = 'VSPHERE.LOCAL\\asr-contoso';
const FABRIKAM = 'VSPHERE.LOCAL\\asr-fabrikam';
const CLUSTER: EntityRef = {
  vcenter: VCENTER,
  moref: 'domain-c7',
  type: 'ClusterComputeResource',
  path: '/DC0/host/C0',
};

export function makeReport(overrides: Partial<AuditReport> = {}): AuditReport {
  const leakGrant = grant(CLUSTER, CONTOSO, { propagate: true });
  const fabrikamVm = vm('fab-app01', 'fabrikam', 'vm-901');
  const hostileVms = HOSTILE_NAMES.map((name, i) => vm(name, 'contoso', `vm-${100 + i}`));

  const findings: TrackedFinding[] = [
    {
      id: 'F-000000000001',
      rule: 'cross-tenant-access',
      severity: 'critical',
      tenant: 'contoso',
      principal: CONTOSO,
      entity: fabrikamVm,
      message: 'asr-contoso reaches fabrikam VM fab-app01.',
      evidence: [leakGrant],
      remediation: 'Remove the propagating grant on /DC0/host/C0; grant per object instead.',
    },
    {
      id: 'F-000000000002',
      rule: 'missing-grant',
      severity: 'medium',
      tenant: 'fabrikam',
      principal: FABRIKAM,
      entity: hostileVms[0],
      message: 'VM =contoso&<legacy> lacks the grant.',
      evidence: [],
      details: ['expected role Azure_Site_Recovery'],
      remediation: 'Run drperm onboard.',
    },
    {
      id: 'F-000000000003',
      rule: 'shared-principal',
      severity: 'high',
      tenant: 'a|b',
      principal: '@x',
      message: 'Account a|b used twice.',
      evidence: [grant(hostileVms[1]!, '@x', { group: true })],
      remediation: 'Use one account per tenant.',
    },
  ];

  const effectiveAccess: EffectiveAccessRow[] = [
    {
      tenant: 'contoso',
      principal: CONTOSO,
      entity: { vcenter: VCENTER, moref: 'datacenter-2', type: 'Datacenter', path: '/DC0' },
      owner: null,
      relation: 'shared-policy',
      privileges: ['System.Anonymous', 'System.Read', 'VirtualMachine.Config.Rename'],
      grantedBy: [
        grant(
          { vcenter: VCENTER, moref: 'datacenter-2', type: 'Datacenter', path: '/DC0' },
          CONTOSO,
        ),
      ],
    },
    ...hostileVms.map((entity) => ({
      tenant: 'contoso',
      principal: CONTOSO,
      entity,
      owner: 'contoso',
      relation: 'own' as const,
      privileges: [
        'Datastore.Browse',
        'System.Anonymous',
        'System.Read',
        'VirtualMachine.Config.Rename',
      ],
      grantedBy: [grant(entity, CONTOSO)],
    })),
    {
      tenant: 'contoso',
      principal: CONTOSO,
      entity: fabrikamVm,
      owner: 'fabrikam',
      relation: 'foreign',
      privileges: ['System.Read'],
      grantedBy: [leakGrant, grant(fabrikamVm, 'VSPHERE.LOCAL\\ops', { group: true })],
    },
  ];

  return {
    format: 'drperm-audit',
    formatVersion: AUDIT_REPORT_FORMAT_VERSION,
    generatedAt: '2025-03-04T05:06:07.000Z',
    tool: { name: 'drperm', version: '0.1.0' },
    scope: {
      tenantFiles: ['tenants/contoso.yaml', 'tenants/fabrikam.yaml'],
      tenants: ['contoso', 'fabrikam'],
      source: 'snapshot',
      snapshotFile: 'snap.json',
      avs: false,
      failOn: 'high',
    },
    vcenter: {
      name: 'VMware vCenter Server',
      fullName: 'VMware vCenter Server 8.0.3 build 24022515',
      instanceUuid: 'dbed6e0c-bd88-4ef6-b594-21283e1c677f',
      apiType: 'VirtualCenter',
      apiVersion: '8.0.3.0',
      version: '8.0.3',
      build: '24022515',
      url: 'https://vcenter.example.test/sdk',
    },
    snapshot: {
      sha256: 'a'.repeat(64),
      collectedAt: '2025-03-04T05:00:00.000Z',
      collectedBy: 'VSPHERE.LOCAL\\drperm-audit',
      privilegeSource: 'privilegeList',
      entityCount: 42,
      permissionCount: 3,
    },
    tenants: [
      {
        tenant: 'contoso',
        mode: 'failback',
        principal: CONTOSO,
        verdict: 'not isolated',
        ownedObjects: hostileVms.length,
        sharedObjectsGranted: 4,
        foreignObjectsReachable: 1,
        findings: { critical: 1, high: 0, medium: 0, low: 0, info: 0 },
        group: false,
        roleName: 'Azure_Site_Recovery',
        file: 'tenants/contoso.yaml',
      },
      {
        tenant: 'fabrikam',
        mode: 'failover-only',
        principal: FABRIKAM,
        verdict: 'isolated',
        ownedObjects: 1,
        sharedObjectsGranted: 0,
        foreignObjectsReachable: 0,
        findings: { critical: 0, high: 0, medium: 1, low: 0, info: 0 },
        group: false,
        roleName: 'ReadOnly',
      },
    ],
    totals: { critical: 1, high: 1, medium: 1, low: 0, info: 0 },
    findings,
    leakMatrix: {
      columns: ['contoso', 'fabrikam', 'unowned'],
      rows: [
        { tenant: 'contoso', principal: CONTOSO, counts: [hostileVms.length, 1, 0] },
        { tenant: 'fabrikam', principal: FABRIKAM, counts: [0, 1, 0] },
      ],
    },
    effectiveAccess,
    permissions: [
      { ...leakGrant, tenant: 'contoso' },
      { ...grant(hostileVms[0]!, CONTOSO), tenant: 'contoso' },
      {
        ...grant(
          { vcenter: VCENTER, moref: 'group-d1', type: 'Folder', path: '/' },
          'VSPHERE.LOCAL\\Administrator',
          {
            roleId: -1,
            roleName: 'Admin',
            propagate: true,
          },
        ),
        tenant: null,
      },
      // Hostile names at the very start of a cell, where a spreadsheet would parse them.
      ...HOSTILE_NAMES.map((name, i) => ({ ...grant(hostileVms[i]!, name), tenant: null })),
    ],
    roles: [
      { id: -5, name: 'NoAccess', system: true, label: 'No access', privileges: [] },
      {
        id: -1,
        name: 'Admin',
        system: true,
        label: 'Administrator',
        privileges: Array.from({ length: 20 }, (_, i) => ({ id: `Priv.P${i}` })),
      },
      {
        id: 1001,
        name: 'Azure_Site_Recovery',
        system: false,
        privileges: [
          { id: 'Datastore.Browse', label: 'Browse datastore' },
          { id: 'VirtualMachine.Config.Rename', label: 'Rename' },
        ],
      },
    ],
    roleVsCloudAdmin: [
      {
        role: 'Azure_Site_Recovery',
        privilege: 'Datastore.Browse',
        label: 'Browse datastore',
        inRole: true,
        inCloudAdmin: true,
        status: 'both',
      },
      {
        role: 'Azure_Site_Recovery',
        privilege: 'Host.Config.Storage',
        inRole: true,
        inCloudAdmin: false,
        status: 'missing-in-cloudadmin',
      },
    ],
    warnings: ['Group VSPHERE.LOCAL\\ops has unknown members.'],
    inputs: [
      { kind: 'snapshot', path: 'snap.json', sha256: 'a'.repeat(64) },
      { kind: 'tenant policy', path: 'tenants/contoso.yaml', sha256: 'b'.repeat(64) },
      { kind: 'tenant policy', path: 'tenants/fabrikam.yaml', sha256: 'c'.repeat(64) },
      { kind: 'membership', path: 'groups.yaml', sha256: 'd'.repeat(64) },
      { kind: 'role policy', path: 'role.yaml', sha256: 'e'.repeat(64) },
    ],
    commandLine: 'drperm audit --tenants tenants --snapshot snap.json',
    ...overrides,
  };
}
