#!/usr/bin/env node
// `npm run bench`: drperm's speed against the simulator lab, side by side with a reference
// client written with govmomi, VMware's own Go SDK (test/bench/refclient). Both collect the
// same data (about, roles, privileges, all permissions, every entity with name, parent and a
// VM's resource pool, vApp, host, datastores and networks: src/vsphere/collect.ts
// ENTITY_PROPS, paged). Collect is measured at several inventory sizes (the cost must
// grow linearly), and at the largest also with one page as large as the inventory (a server
// that ignores the page size sends one response of ~30 MB). Then drperm audits the collected
// snapshot offline for N tenants, and with --confirm-with-server: vCenter (the lab) asked for
// every tenant account's privileges on every entity, against the collection's time. Last, the
// apply of a 1,000-VM tenant against sequential one-call-per-object loops written with pyVmomi
// (the reference) and govmomi (scripts/bench-apply.js).
//
//   npm run bench -- [--curve 5000,15000,45000] [--tenants 50] [--runs 3] [--page-size 1000]
//                    [--baseline-cli path/to/other/dist/cli.js] [--collect-only]
//
// --baseline-cli measures another drperm build in the same rounds (e.g. before a change);
// --collect-only stops after the collect figures (no audits, start-up or apply).
// Rounds are rotated (A B C, B C A, ...) so that a machine's drift hits every client alike.
// Prints figures; asserts nothing (speed is measured here, not in tests).
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdtempSync, mkdirSync, rmSync, statSync, existsSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const {
  ROOT,
  CLI,
  arg,
  strArg,
  measure,
  median,
  fmt,
  mib,
  tenantFiles: writeTenantFiles,
  timedAudits,
  TIME,
} = require('./bench-lib');

const REFCLIENT_SRC = join(ROOT, 'test', 'bench', 'refclient');
const REFCLIENT_BIN = join(ROOT, 'test', 'sim', '.bin', 'refclient');
const { startLab } = require(join(ROOT, 'dist-lab'));
const {
  benchAuditReports,
  printAuditReports,
  benchStartup,
  printStartup,
} = require('./bench-audit');
const { benchApply } = require('./bench-apply');

const CURVE = (strArg('--curve') ?? (strArg('--vms') || '5000,15000,45000'))
  .split(',')
  .map(Number)
  .filter((n) => n > 0)
  .sort((a, b) => a - b);
const VMS = CURVE[CURVE.length - 1];
const TENANTS = arg('--tenants', 50);
const RUNS = arg('--runs', 3);
const PAGE_SIZE = arg('--page-size', 1000);
/** Larger than any lab inventory: the whole view in one response. */
const ONE_PAGE = 100000;
const BASELINE = strArg('--baseline-cli') && resolve(strArg('--baseline-cli'));
const COLLECT_ONLY = process.argv.includes('--collect-only');

function buildRefclient() {
  const stale =
    !existsSync(REFCLIENT_BIN) ||
    statSync(join(REFCLIENT_SRC, 'main.go')).mtimeMs > statSync(REFCLIENT_BIN).mtimeMs;
  if (!stale) return;
  mkdirSync(join(ROOT, 'test', 'sim', '.bin'), { recursive: true });
  const r = spawnSync('go', ['build', '-o', REFCLIENT_BIN, '.'], {
    cwd: REFCLIENT_SRC,
    env: { ...process.env, GOPATH: '/usr/share/gocode', GO111MODULE: 'off', GOFLAGS: '' },
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('cannot build the reference client (see above)');
}

const tenantFiles = (dir) => writeTenantFiles(dir, TENANTS);

/** The clients measured side by side, each a function of the page size. */
function clients(lab, snapshot) {
  const env = {
    DRPERM_URL: lab.url,
    DRPERM_USERNAME: lab.username,
    DRPERM_PASSWORD: lab.password,
    DRPERM_THUMBPRINT: lab.thumbprintSha256,
  };
  const drperm = (cli) => async (pageSize) => {
    const r = await measure(
      cli,
      ['collect', '--out', snapshot, '--page-size', String(pageSize), '--json'],
      env,
    );
    if (r.code !== 0) throw new Error(`drperm collect (${cli}) failed:\n${r.stderr}`);
    r.entities = JSON.parse(r.stdout).counts?.entities;
    return r;
  };
  const list = [
    { name: 'drperm', run: drperm(CLI) },
    {
      name: 'govmomi',
      run: async (pageSize) => {
        const r = await measure(
          REFCLIENT_BIN,
          ['-url', lab.url, '-username', lab.username, '-page-size', String(pageSize)],
          { REFCLIENT_PASSWORD: lab.password },
        );
        if (r.code !== 0) throw new Error(`reference client failed:\n${r.stderr}`);
        r.entities = JSON.parse(r.stdout).entities;
        return r;
      },
    },
  ];
  if (BASELINE) list.push({ name: 'baseline', run: drperm(BASELINE) });
  return list;
}

/** RUNS rotated rounds of every client; per client the median wall time and the peak RSS. */
async function rounds(list, pageSize) {
  const results = new Map(list.map((c) => [c.name, []]));
  for (let i = 0; i < RUNS; i++) {
    for (let k = 0; k < list.length; k++) {
      const c = list[(i + k) % list.length];
      results.get(c.name).push(await c.run(pageSize));
    }
  }
  const out = {};
  for (const [name, rs] of results) {
    out[name] = {
      seconds: median(rs.map((r) => r.seconds)),
      rssMiB: Math.max(...rs.map((r) => r.rssMiB)),
      entities: rs[0].entities,
    };
  }
  return out;
}

async function main() {
  buildRefclient();
  const work = mkdtempSync(join(tmpdir(), 'drperm-bench-'));
  const collectRows = [];
  let auditRow;
  let confirmRow;
  let entitiesAtMax;
  try {
    for (const vms of CURVE) {
      process.stdout.write(`Starting the lab: ${vms} VMs in ${TENANTS} tenants ...\n`);
      const labStarted = Date.now();
      const lab = await startLab({
        scenario: 'lab',
        scale: { vms, tenants: TENANTS },
        timeoutMs: 600000,
      });
      process.stdout.write(`lab ready in ${fmt((Date.now() - labStarted) / 1000)}\n`);
      try {
        const snapshot = join(work, 'snapshot.json');
        const list = clients(lab, snapshot);
        collectRows.push({ vms, pageSize: PAGE_SIZE, r: await rounds(list, PAGE_SIZE) });
        if (vms !== VMS) continue;
        collectRows.push({ vms, pageSize: ONE_PAGE, r: await rounds(list, ONE_PAGE) });
        if (COLLECT_ONLY) continue;
        // The snapshot of the audit comes from this build at the normal page size.
        await list[0].run(PAGE_SIZE);
        entitiesAtMax = collectRows.at(-1).r.drperm.entities;
        auditRow = await audit(snapshot);
        confirmRow = await confirm(lab, snapshot);
        auditRow.formats = await auditFormats(snapshot);
      } finally {
        await lab.stop();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  report(collectRows, auditRow, entitiesAtMax);
  if (COLLECT_ONLY) return;
  if (confirmRow) reportConfirm(confirmRow, auditRow, collectRows, entitiesAtMax);
  if (auditRow?.formats) {
    process.stdout.write('\naudit of the collected snapshot, by report format (issue 10 §3):\n');
    printAuditReports(auditRow.formats);
  }
  await startupOnSmallLab();
  await benchApply();
}

/** The report writers side by side with the Markdown-only audit of the same snapshot. */
async function auditFormats(snapshot) {
  const dir = mkdtempSync(join(tmpdir(), 'drperm-bench-formats-'));
  try {
    const tenantsDir = join(dir, 'tenants');
    mkdirSync(tenantsDir);
    tenantFiles(tenantsDir);
    return await benchAuditReports({ snapshotFile: snapshot, tenantsDir }, dir, RUNS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Start-up: `drperm --version`, and `tenant plan` on the small lab, against bare node. */
async function startupOnSmallLab() {
  const lab = await startLab({ scenario: 'demo' });
  try {
    const env = [
      `DRPERM_URL=${lab.url}`,
      `DRPERM_USERNAME=${lab.username}`,
      `DRPERM_PASSWORD=${lab.password}`,
      `DRPERM_THUMBPRINT=${lab.thumbprintSha256}`,
    ];
    process.stdout.write('\nstart-up (median of 10; reference: bare node -e 0):\n');
    printStartup([
      await benchStartup('drperm --version', CLI, ['--version']),
      await benchStartup('drperm tenant plan (small lab)', 'env', [
        ...env,
        CLI,
        'tenant',
        'plan',
        '--tenant',
        join(ROOT, 'policies', 'tenants'),
      ]),
    ]);
  } finally {
    await lab.stop();
  }
}

async function audit(snapshot) {
  const dir = mkdtempSync(join(tmpdir(), 'drperm-bench-audit-'));
  try {
    const tenantsDir = join(dir, 'tenants');
    mkdirSync(tenantsDir);
    tenantFiles(tenantsDir);
    const audits = await timedAudits(snapshot, tenantsDir, dir, RUNS);
    return {
      seconds: median(audits.map((r) => r.seconds)),
      rssMiB: Math.max(...audits.map((r) => r.rssMiB)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The offline audit again, with every tenant account's answers asked of the lab. */
async function confirm(lab, snapshot) {
  const dir = mkdtempSync(join(tmpdir(), 'drperm-bench-confirm-'));
  const env = {
    DRPERM_URL: lab.url,
    DRPERM_USERNAME: lab.username,
    DRPERM_PASSWORD: lab.password,
    DRPERM_THUMBPRINT: lab.thumbprintSha256,
  };
  try {
    const tenantsDir = join(dir, 'tenants');
    mkdirSync(tenantsDir);
    tenantFiles(tenantsDir);
    const runs = await timedAudits(snapshot, tenantsDir, dir, RUNS, {
      extraArgs: ['--confirm-with-server'],
      env,
    });
    return {
      seconds: median(runs.map((r) => r.seconds)),
      rssMiB: Math.max(...runs.map((r) => r.rssMiB)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function reportConfirm(confirmRow, auditRow, collectRows, entities) {
  const collect = collectRows.find((c) => c.pageSize === PAGE_SIZE && c.vms === VMS);
  const beyond = confirmRow.seconds - auditRow.seconds;
  process.stdout.write(
    `audit --confirm-with-server, ${TENANTS} tenants x ${entities} entities: ` +
      `${fmt(confirmRow.seconds)}, ${mib(confirmRow.rssMiB)}; the confirmation ${fmt(beyond)} beyond the offline audit` +
      (collect ? `, ${(beyond / collect.r.drperm.seconds).toFixed(1)}x drperm's collection` : '') +
      '\n',
  );
}

function report(collectRows, auditRow, entitiesAtMax) {
  const cell = (m) => `${fmt(m.seconds)}, ${mib(m.rssMiB)}`;
  const cols = ['drperm (TypeScript)', 'govmomi (Go, reference)', 'drperm / govmomi'];
  if (BASELINE) cols.push('baseline drperm', 'baseline / govmomi');
  const row = (label, values) =>
    `${label.padEnd(40)} ${values.map((v, i) => v.padEnd(i === values.length - 1 ? 0 : 24)).join(' ')}\n`;
  process.stdout.write('\n' + row('collect', cols));
  for (const { vms, pageSize, r } of collectRows) {
    const label =
      pageSize === ONE_PAGE
        ? `${vms} VMs, ${r.drperm.entities} entities, one page`
        : `${vms} VMs, ${r.drperm.entities} entities, page ${pageSize}`;
    const values = [
      cell(r.drperm),
      cell(r.govmomi),
      `${(r.drperm.seconds / r.govmomi.seconds).toFixed(2)}x wall`,
    ];
    if (BASELINE) {
      values.push(cell(r.baseline), `${(r.baseline.seconds / r.govmomi.seconds).toFixed(2)}x wall`);
    }
    process.stdout.write(row(label, values));
  }
  if (collectRows.length > 1) {
    const normal = collectRows.filter((c) => c.pageSize === PAGE_SIZE);
    const per = normal.map(
      (c) => `${c.vms}: ${((c.r.drperm.seconds / c.r.drperm.entities) * 1e6).toFixed(1)}`,
    );
    process.stdout.write(
      `drperm collect, microseconds per entity (whole process): ${per.join(', ')}\n`,
    );
  }
  if (auditRow) {
    process.stdout.write(
      '\n' +
        row(`audit offline, ${TENANTS} tenants, ${entitiesAtMax} entities (json)`, [
          cell(auditRow),
          '(no equivalent)',
        ]),
    );
  }
  process.stdout.write(
    `\nmedian wall time of ${RUNS} rotated round(s), peak RSS${TIME ? '' : ' (n/a: /usr/bin/time is missing; apt-get install time)'}; ` +
      '"one page": page size larger than the inventory, as from a server that ignores it; ' +
      'each process includes its own start-up, login and logout.\n',
  );
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err.message}\n`);
  process.exitCode = 1;
});
