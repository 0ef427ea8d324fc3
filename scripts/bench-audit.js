#!/usr/bin/env node
// Benchmark of the isolation audit on a generated inventory the size of a large hosting
// partner: 45,000 VMs, 50 tenants, per-object grants (seed 001), plus one propagating
// leak so the cross-tenant path is exercised too. Prints timings and peak memory.
// --no-access-pattern adds, for one tenant, a propagated grant confined by No Access on
// every foreign VM (tens of thousands of overrides).
// Usage: npm run build && node scripts/bench-audit.js [--vms N] [--tenants N] [--no-access-pattern]
'use strict';
const { runAudit } = require('../dist/audit/audit');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const VMS = arg('--vms', 45000);
const TENANTS = arg('--tenants', 50);
const NO_ACCESS_PATTERN = process.argv.includes('--no-access-pattern');
const CLUSTERS = 10;
const HOSTS_PER_CLUSTER = 8;

function generate() {
  let n = 0;
  const entities = [];
  const add = (type, name, parent, extra = {}) => {
    const e = {
      ref: `${type.toLowerCase()}-${++n}`,
      type,
      name,
      parent: parent ? parent.ref : null,
      path: parent ? (parent.path === '/' ? '' : parent.path) + '/' + name : '/',
      ...extra,
    };
    entities.push(e);
    return e;
  };
  const root = add('Folder', 'Datacenters', null);
  const dc = add('Datacenter', 'DC0', root);
  const vmFolder = add('Folder', 'vm', dc);
  const hostFolder = add('Folder', 'host', dc);
  const dsFolder = add('Folder', 'datastore', dc);
  const netFolder = add('Folder', 'network', dc);
  const clusters = [];
  for (let c = 0; c < CLUSTERS; c++) {
    const cluster = add('ClusterComputeResource', `C${c}`, hostFolder);
    const pool = add('ResourcePool', 'Resources', cluster);
    for (let h = 0; h < HOSTS_PER_CLUSTER; h++) add('HostSystem', `C${c}-H${h}`, cluster);
    clusters.push({ cluster, pool });
  }
  const roles = [
    { id: -5, name: 'NoAccess', system: true, privileges: [] },
    {
      id: -2,
      name: 'ReadOnly',
      system: true,
      privileges: ['System.Anonymous', 'System.Read', 'System.View'],
    },
    {
      id: 1000,
      name: 'Azure_Site_Recovery',
      system: false,
      privileges: [
        'System.Anonymous',
        'System.Read',
        'System.View',
        'Datastore.Browse',
        'VirtualMachine.Config.Rename',
      ],
    },
  ];
  const permissions = [];
  const permit = (e, principal, roleId, propagate = false) =>
    permissions.push({ entity: e.ref, principal, group: false, roleId, propagate });
  const policies = [];
  const perTenant = Math.ceil(VMS / TENANTS);
  for (let t = 0; t < TENANTS; t++) {
    const name = `tenant${String(t).padStart(2, '0')}`;
    const principal = `VSPHERE.LOCAL\\asr-${name}`;
    const folder = add('Folder', name, vmFolder);
    const ds = add('Datastore', `${name}-ds`, dsFolder);
    const net = add('Network', `${name}-net`, netFolder);
    const { cluster, pool } = clusters[t % CLUSTERS];
    permit(root, principal, -2);
    permit(dc, principal, 1000);
    permit(cluster, principal, 1000);
    for (const h of entities.filter((e) => e.parent === cluster.ref && e.type === 'HostSystem'))
      permit(h, principal, 1000);
    permit(ds, principal, 1000);
    permit(net, principal, 1000);
    for (let v = 0; v < perTenant && t * perTenant + v < VMS; v++) {
      permit(
        add('VirtualMachine', `${name}-vm${v}`, folder, { resourcePool: pool.ref }),
        principal,
        1000,
      );
    }
    policies.push({
      policy: {
        tenant: name,
        mode: 'failback',
        account: { principal, group: false },
        vcenterReadOnly: true,
        objects: {
          datacenters: ['/DC0'],
          hosts: [cluster.path],
          datastores: [ds.path],
          networks: [net.path],
          managementServers: [],
          vms: { folders: [folder.path], names: [], paths: [] },
        },
      },
    });
  }
  // The leak: tenant00's cluster grant propagates to every VM running on that cluster.
  permissions.find((p) => p.entity === clusters[0].cluster.ref).propagate = true;
  if (NO_ACCESS_PATTERN) {
    // Seed 001's discouraged alternative for tenant01: a propagated datacenter grant
    // confined by a No Access override on every VM it must not see.
    const principal = policies[1].policy.account.principal;
    const own = new Set(permissions.filter((p) => p.principal === principal).map((p) => p.entity));
    permissions.find((p) => p.principal === principal && p.entity === dc.ref).propagate = true;
    for (const e of entities)
      if (e.type === 'VirtualMachine' && !own.has(e.ref)) permit(e, principal, -5);
  }
  const snapshot = {
    format: 'drperm-snapshot',
    formatVersion: 1,
    tool: { name: 'drperm', version: 'bench' },
    collectedAt: new Date().toISOString(),
    source: { url: 'https://bench/sdk', username: 'bench' },
    vcenter: {
      name: 'bench',
      fullName: 'bench',
      instanceUuid: 'bench',
      apiType: 'VirtualCenter',
      apiVersion: '8.0',
      version: '8.0',
      build: '0',
    },
    rootFolder: root.ref,
    privilegeSource: 'privilegeList',
    privileges: [],
    roles,
    permissions,
    entities,
    warnings: [],
  };
  return { snapshot, policies };
}

const t0 = process.hrtime.bigint();
const { snapshot, policies } = generate();
const t1 = process.hrtime.bigint();
const result = runAudit({
  snapshot,
  tenants: policies,
  rolePrivileges: snapshot.roles[2].privileges,
  roleName: 'Azure_Site_Recovery',
});
const t2 = process.hrtime.bigint();
const ms = (a, b) => (Number(b - a) / 1e6).toFixed(0);
const vms = snapshot.entities.filter((e) => e.type === 'VirtualMachine').length;
console.log(
  `inventory: ${snapshot.entities.length} entities (${vms} VMs), ${snapshot.permissions.length} permissions, ${policies.length} tenants`,
);
console.log(`generate:  ${ms(t0, t1)} ms`);
console.log(
  `audit:     ${ms(t1, t2)} ms (tenant resolution, effective access, all rules, report tables)`,
);
console.log(
  `findings:  ${result.findings.length} (${Object.entries(result.totals)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ')})`,
);
console.log(
  `not isolated: ${
    result.tenants
      .filter((t) => t.verdict !== 'isolated')
      .map((t) => t.tenant)
      .join(', ') || 'none'
  }`,
);
console.log(`effective access rows: ${result.effectiveAccess.length}`);
console.log(`peak RSS:  ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
