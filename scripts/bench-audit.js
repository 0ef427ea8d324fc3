#!/usr/bin/env node
// Benchmark of the isolation audit on a generated inventory the size of a large hosting
// partner: 45,000 VMs, 50 tenants, per-object grants (seed 001), plus one propagating
// leak so the cross-tenant path is exercised too. Prints timings and peak memory.
// --no-access-pattern adds, for one tenant, a propagated grant confined by No Access on
// every foreign VM (tens of thousands of overrides).
// --reports also writes the snapshot and tenant files (no lab needed) and runs
// `drperm audit` on them side by side: Markdown only (the reference), JSON, and the
// workbook, as ratios with peak RSS and report sizes (median of --runs rotated rounds).
// Usage: npm run build && node scripts/bench-audit.js [--vms N] [--tenants N] [--runs N]
//        [--no-access-pattern] [--reports]
'use strict';
const { spawn } = require('node:child_process');
const {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { runAudit } = require('../dist/audit/audit');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const VMS = arg('--vms', 45000);
const TENANTS = arg('--tenants', 50);
const RUNS = arg('--runs', 3);
const NO_ACCESS_PATTERN = process.argv.includes('--no-access-pattern');
const REPORTS = process.argv.includes('--reports');
const CLUSTERS = 10;
const HOSTS_PER_CLUSTER = 8;
const CLI = join(__dirname, '..', 'dist', 'cli.js');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

// The lab's Azure_Site_Recovery role holds 55 privileges; the report writers' cost grows with
// that list, so the generated role has as many (System.* and the policy's own first).
const ROLE_PRIVILEGES = (() => {
  const own = ['System.Anonymous', 'System.Read', 'System.View'];
  const yaml = require('yaml');
  const { readFileSync } = require('node:fs');
  const ids = (file) =>
    (yaml.parse(readFileSync(join(__dirname, '..', 'policies', file), 'utf8')).privileges ?? [])
      .map((p) => p.id)
      .filter((id) => typeof id === 'string' && !id.includes('*'));
  const all = [
    ...new Set([
      ...own,
      ...ids('roles/azure-site-recovery.yaml'),
      ...ids('baselines/avs-cloudadmin.yaml'),
    ]),
  ];
  return all.slice(0, 55);
})();

function generate({ vms = VMS, tenants = TENANTS, noAccessPattern = NO_ACCESS_PATTERN } = {}) {
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
      privileges: ROLE_PRIVILEGES,
    },
  ];
  const permissions = [];
  const permit = (e, principal, roleId, propagate = false) =>
    permissions.push({ entity: e.ref, principal, group: false, roleId, propagate });
  const policies = [];
  const perTenant = Math.ceil(vms / tenants);
  for (let t = 0; t < tenants; t++) {
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
    for (let v = 0; v < perTenant && t * perTenant + v < vms; v++) {
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
  if (noAccessPattern) {
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

/** Writes the snapshot and one tenant file per tenant into dir; returns their paths. */
function writeInputs(dir, options) {
  const { snapshot, policies } = generate(options);
  mkdirSync(join(dir, 'tenants'), { recursive: true });
  const snapshotFile = join(dir, 'snapshot.json');
  writeFileSync(snapshotFile, JSON.stringify(snapshot));
  for (const { policy } of policies) {
    // JSON is YAML: the tenant loader reads it as it is.
    writeFileSync(join(dir, 'tenants', `${policy.tenant}.yaml`), JSON.stringify(policy, null, 2));
  }
  const roleFile = join(dir, 'role.yaml');
  writeFileSync(
    roleFile,
    ['kind: role', 'name: Azure_Site_Recovery', 'privileges:']
      .concat(snapshot.roles[2].privileges.map((id) => `  - { id: ${id}, label: ${id} }`))
      .join('\n') + '\n',
  );
  return { snapshotFile, tenantsDir: join(dir, 'tenants'), roleFile };
}

/** Runs a command under /usr/bin/time; resolves with wall seconds and peak RSS (MiB). */
function measure(command, args) {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = TIME
      ? [TIME, ['-f', 'BENCH %e %M %U %S', command, ...args]]
      : [command, args];
    const started = process.hrtime.bigint();
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const m = /BENCH ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
      resolve({
        code,
        stderr,
        seconds,
        cpuSeconds: m ? Number(m[3]) + Number(m[4]) : NaN,
        rssMiB: m ? Number(m[2]) / 1024 : NaN,
      });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mib = (m) => (Number.isNaN(m) ? 'n/a' : `${Math.round(m)} MiB`);

/**
 * `drperm audit` offline with each report format, rotated so no variant always runs first.
 * Returns rows { label, seconds, rssMiB, sizes } with the Markdown-only run first (the reference).
 */
async function benchAuditReports(inputs, work, runs = RUNS) {
  const variants = [
    { label: 'audit, Markdown only (reference)', format: 'md' },
    { label: 'audit, JSON report', format: 'json' },
    { label: 'audit, workbook', format: 'xlsx' },
    { label: 'audit, all three (default)', format: 'xlsx,json,md' },
  ];
  const results = variants.map(() => []);
  const sizes = variants.map(() => ({}));
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (k + round) % variants.length;
      const out = join(work, `audit-${i}-${round}`);
      const r = await measure(CLI, [
        'audit',
        '--tenants',
        inputs.tenantsDir,
        '--snapshot',
        inputs.snapshotFile,
        ...(inputs.roleFile ? ['--role', inputs.roleFile] : []),
        '--format',
        variants[i].format,
        '--out',
        out,
        '--fail-on',
        'critical',
      ]);
      if (r.code !== 0 && r.code !== 1) throw new Error(`drperm audit failed:\n${r.stderr}`);
      results[i].push(r);
      for (const f of readdirSync(out)) sizes[i][f.split('.').pop()] = statSync(join(out, f)).size;
      rmSync(out, { recursive: true, force: true });
    }
  }
  return variants.map((v, i) => ({
    label: v.label,
    seconds: median(results[i].map((r) => r.seconds)),
    cpuSeconds: median(results[i].map((r) => r.cpuSeconds)),
    rssMiB: Math.max(...results[i].map((r) => r.rssMiB)),
    sizes: sizes[i],
  }));
}

/**
 * Prints the rows of benchAuditReports with their ratio to the first one, in wall and CPU
 * time (on a shared machine the CPU ratio is the steadier one).
 */
function printAuditReports(rows) {
  const ref = rows[0];
  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
  process.stdout.write(
    `${''.padEnd(36)} ${'wall'.padStart(8)} ${'ratio'.padStart(6)} ${'CPU'.padStart(8)} ${'ratio'.padStart(6)} ${'peak RSS'.padStart(9)}  report size\n`,
  );
  for (const r of rows) {
    const sizes = Object.entries(r.sizes)
      .map(([ext, n]) => `${ext} ${mb(n)}`)
      .join(', ');
    process.stdout.write(
      `${r.label.padEnd(36)} ${`${r.seconds.toFixed(2)} s`.padStart(8)} ${`${(r.seconds / ref.seconds).toFixed(2)}x`.padStart(6)} ` +
        `${`${r.cpuSeconds.toFixed(2)} s`.padStart(8)} ${`${(r.cpuSeconds / ref.cpuSeconds).toFixed(2)}x`.padStart(6)} ${mib(r.rssMiB).padStart(9)}  ${sizes}\n`,
    );
  }
}

/** Median wall and CPU time of a short command, against bare `node -e 0` as the reference. */
async function benchStartup(label, command, args, runs = 10) {
  const all = [];
  for (let i = 0; i < runs; i++) {
    all.push(await measure(process.execPath, ['-e', '0']));
    all.push(await measure(command, args));
  }
  const pick = (odd) => all.filter((_r, i) => i % 2 === (odd ? 1 : 0));
  const row = (rs) => ({
    seconds: median(rs.map((r) => r.seconds)),
    cpuSeconds: median(rs.map((r) => r.cpuSeconds)),
    rssMiB: Math.max(...rs.map((r) => r.rssMiB)),
    code: rs[0].code,
  });
  return { label, ours: row(pick(true)), node: row(pick(false)) };
}

function printStartup(rows) {
  for (const { label, ours, node } of rows) {
    process.stdout.write(
      `${label.padEnd(36)} ${ours.seconds.toFixed(3)} s wall (${(ours.seconds / node.seconds).toFixed(2)}x bare node ${node.seconds.toFixed(3)} s), ` +
        `${ours.cpuSeconds.toFixed(3)} s CPU (${(ours.cpuSeconds / node.cpuSeconds).toFixed(2)}x), ${mib(ours.rssMiB)}\n`,
    );
  }
}

module.exports = {
  generate,
  writeInputs,
  measure,
  benchAuditReports,
  printAuditReports,
  benchStartup,
  printStartup,
};

async function reportsMain() {
  const work = mkdtempSync(join(tmpdir(), 'drperm-bench-audit-'));
  try {
    const inputs = writeInputs(work);
    process.stdout.write(
      `inputs: ${VMS} VMs, ${TENANTS} tenants, snapshot ${(statSync(inputs.snapshotFile).size / 1e6).toFixed(1)} MB; median of ${RUNS} rotated rounds\n`,
    );
    printAuditReports(await benchAuditReports(inputs, work));
    printStartup([await benchStartup('drperm --version', CLI, ['--version'])]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function engineMain() {
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
}

if (require.main === module) {
  if (REPORTS) {
    reportsMain().catch((err) => {
      process.stderr.write(`bench-audit failed: ${err.message}\n`);
      process.exitCode = 1;
    });
  } else {
    engineMain();
  }
}
