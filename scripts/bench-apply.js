#!/usr/bin/env node
// The apply benchmark: `drperm tenant apply` of a 1,000-VM tenant (its datacenter and every
// VM of its folder) against two sequential one-call-per-object loops (Login, look-ups, one
// SetEntityPermissions per object, Logout; no backup, no verification): the issue's own
// reference, written with pyVmomi (test/bench/refapply-pyvmomi.py, Debian's python3-pyvmomi
// under /usr/bin/python3), and the same loop written with govmomi (test/bench/refapply), a
// stricter floor (Go starts in milliseconds, Python and pyVmomi's import take a good part of
// a second). All through a proxy that adds 10 ms per round trip
// (test/bench/latency-proxy.js) and directly. Whole-process wall time and peak RSS, median
// of rotated rounds; then drperm at --concurrency 1, 4, 8, 16 and 32, to choose the default.
// Between runs the account's permissions are removed again (not measured).
//
//   node scripts/bench-apply.js [--apply-vms 1000] [--apply-inventory 1000] [--runs 3]
//                               [--latency-ms 10] [--concurrency-sweep 1,4,8,16,32]
//
// --apply-inventory: VMs in the whole lab (tenants of --apply-vms VMs each; one is applied).
// Without python3-pyvmomi the pyVmomi loop is left out and says so. Prints figures; asserts
// nothing.
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdtempSync, mkdirSync, rmSync, statSync, existsSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { URL } = require('node:url');
const { ROOT, CLI, arg, strArg, measure, median, fmt, mib, TIME } = require('./bench-lib');
const { startLatencyProxy } = require('../test/bench/latency-proxy');

const REFAPPLY_SRC = join(ROOT, 'test', 'bench', 'refapply');
const REFAPPLY_BIN = join(ROOT, 'test', 'sim', '.bin', 'refapply');
const REFAPPLY_PY = join(ROOT, 'test', 'bench', 'refapply-pyvmomi.py');
// Debian's interpreter, where python3-pyvmomi installs (a pyenv python first on PATH lacks it).
const PYTHON = '/usr/bin/python3';
const PYVMOMI_MISSING = 'n/a: install python3-pyvmomi (Debian)';
const PRINCIPAL = 'VSPHERE.LOCAL\\asr-contoso';
const FOLDER = '/DC0/vm/tenant-000';

function buildRefapply() {
  const stale =
    !existsSync(REFAPPLY_BIN) ||
    statSync(join(REFAPPLY_SRC, 'main.go')).mtimeMs > statSync(REFAPPLY_BIN).mtimeMs;
  if (!stale) return;
  mkdirSync(join(ROOT, 'test', 'sim', '.bin'), { recursive: true });
  const r = spawnSync('go', ['build', '-o', REFAPPLY_BIN, '.'], {
    cwd: REFAPPLY_SRC,
    env: { ...process.env, GOPATH: '/usr/share/gocode', GO111MODULE: 'off', GOFLAGS: '' },
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('cannot build the reference apply loop (see above)');
}

function pyvmomiInstalled() {
  return spawnSync(PYTHON, ['-c', 'import pyVmomi'], { stdio: 'ignore' }).status === 0;
}

function withPort(url, port) {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
}

/** Runs `drperm ARGS` against `url`; throws with its stderr on failure. */
async function drperm(lab, url, args) {
  const r = await measure(CLI, [...args], {
    DRPERM_URL: url,
    DRPERM_USERNAME: lab.username,
    DRPERM_PASSWORD: lab.password,
    DRPERM_THUMBPRINT: lab.thumbprintSha256,
  });
  if (r.code !== 0) throw new Error(`drperm ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
  return r;
}

async function refapply(lab, url, extra = []) {
  const r = await measure(
    REFAPPLY_BIN,
    ['-url', url, '-username', lab.username, '-principal', PRINCIPAL, '-folder', FOLDER, ...extra],
    { REFCLIENT_PASSWORD: lab.password },
  );
  if (r.code !== 0) throw new Error(`reference apply loop failed:\n${r.stderr}`);
  r.objects = JSON.parse(r.stdout).objects;
  return r;
}

/** The reference: the same loop with pyVmomi; the password in the environment. */
async function pyvmomiApply(lab, url) {
  const r = await measure(
    PYTHON,
    [
      REFAPPLY_PY,
      '-url',
      url,
      '-username',
      lab.username,
      '-principal',
      PRINCIPAL,
      '-folder',
      FOLDER,
    ],
    { REFCLIENT_PASSWORD: lab.password },
  );
  if (r.code !== 0) throw new Error(`pyVmomi apply loop failed:\n${r.stderr}`);
  r.objects = JSON.parse(r.stdout).objects;
  return r;
}

/**
 * Measures the whole-process apply in each way, in rotated rounds, each from the same state
 * (the account has no permission; reset directly, not measured).
 */
async function rounds(lab, work, ways, runs) {
  const results = new Map(ways.map((w) => [w.name, []]));
  let n = 0;
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < ways.length; k++) {
      const w = ways[(i + k) % ways.length];
      const r = await w.run(join(work, `backups-${n++}`));
      results.get(w.name).push(r);
      await refapply(lab, lab.url, ['-remove']);
    }
  }
  const out = {};
  for (const [name, rs] of results) {
    out[name] = {
      seconds: median(rs.map((r) => r.seconds)),
      rssMiB: Math.max(...rs.map((r) => r.rssMiB)),
      objects: rs[0].objects,
    };
  }
  return out;
}

function drpermApply(lab, url, tenantFile, concurrency) {
  return async (backupDir) => {
    const args = ['tenant', 'apply', '--tenant', tenantFile, '--yes', '--json'];
    args.push('--backup-dir', backupDir);
    if (concurrency !== undefined) args.push('--concurrency', String(concurrency));
    const r = await drperm(lab, url, args);
    const applied = JSON.parse(r.stdout).applied ?? [];
    r.objects = applied.reduce((s, a) => s + a.done, 0);
    if (applied.some((a) => a.failed + a.notAttempted > 0)) {
      throw new Error(`drperm apply did not complete:\n${r.stdout.slice(0, 2000)}`);
    }
    return r;
  };
}

/** Starts its own lab; prints the comparison and the concurrency sweep. */
async function benchApply(options = {}) {
  const vms = options.vms ?? arg('--apply-vms', 1000);
  const inventory = Math.max(vms, options.inventory ?? arg('--apply-inventory', vms));
  const runs = options.runs ?? arg('--runs', 3);
  const latencyMs = options.latencyMs ?? arg('--latency-ms', 10);
  const sweep = (options.sweep ?? strArg('--concurrency-sweep') ?? '1,4,8,16,32')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  buildRefapply();
  const withPyvmomi = pyvmomiInstalled();
  const work = mkdtempSync(join(tmpdir(), 'drperm-bench-apply-'));
  const tenants = Math.max(1, Math.round(inventory / vms));
  process.stdout.write(
    `\nStarting the lab: ${inventory} VMs in ${tenants} tenant folder(s) for the apply benchmark ...\n`,
  );
  const { startLab } = require(join(ROOT, 'dist-lab'));
  const lab = await startLab({
    scenario: 'lab',
    scale: { vms: inventory, tenants },
    timeoutMs: 600000,
  });
  const proxy = await startLatencyProxy({
    host: new URL(lab.url).hostname,
    port: Number(new URL(lab.url).port),
    delayMs: latencyMs,
  });
  const slow = withPort(lab.url, proxy.port);
  try {
    await drperm(lab, lab.url, ['role', 'apply', '--yes', '--json']);
    const tenantFile = join(work, 'bench.yaml');
    writeFileSync(
      tenantFile,
      [
        'tenant: bench',
        'mode: failback',
        `account: { principal: '${PRINCIPAL}' }`,
        'objects:',
        '  datacenters: [/DC0]',
        `  vms: { folders: [${FOLDER}] }`,
        // The loop grants the datacenter and the VMs: the same objects.
        'vcenterReadOnly: false',
        '',
      ].join('\n'),
    );
    const compare = async (url) =>
      rounds(
        lab,
        work,
        [
          { name: 'drperm', run: drpermApply(lab, url, tenantFile) },
          ...(withPyvmomi ? [{ name: 'pyvmomi', run: () => pyvmomiApply(lab, url) }] : []),
          { name: 'govmomi', run: () => refapply(lab, url) },
        ],
        runs,
      );
    const viaProxy = await compare(slow);
    const direct = await compare(lab.url);
    const swept = [];
    for (const c of sweep) {
      const ways = [
        { name: 'proxy', run: drpermApply(lab, slow, tenantFile, c) },
        { name: 'direct', run: drpermApply(lab, lab.url, tenantFile, c) },
      ];
      swept.push({ concurrency: c, r: await rounds(lab, work, ways, 1) });
    }
    report({ vms, inventory, latencyMs, runs, viaProxy, direct, swept });
  } finally {
    await proxy.close();
    await lab.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Left-aligned columns, each as wide as its widest cell. */
function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c] + 2))).join(''))
    .join('\n');
}

function report({ vms, inventory, latencyMs, runs, viaProxy, direct, swept }) {
  const cell = (m) => `${fmt(m.seconds)}, ${mib(m.rssMiB)}`;
  const times = (x) => `${x.toFixed(2)}x`;
  // How many times the loop's wall time drperm's is: below 1, drperm is faster.
  const ratio = (r, loop) => (r[loop] ? times(r.drperm.seconds / r[loop].seconds) : 'n/a');
  const rows = [
    [
      '',
      'drperm tenant apply',
      'pyVmomi loop (issue ref.)',
      'govmomi loop (floor)',
      'drperm / pyVmomi',
      'drperm / govmomi',
    ],
  ];
  for (const [label, r] of [
    [`through the proxy (+${latencyMs} ms per round trip)`, viaProxy],
    ['direct (localhost)', direct],
  ]) {
    rows.push([
      label,
      cell(r.drperm),
      r.pyvmomi ? cell(r.pyvmomi) : PYVMOMI_MISSING,
      cell(r.govmomi),
      ratio(r, 'pyvmomi'),
      ratio(r, 'govmomi'),
    ]);
  }
  // Each goal as its ratio against both loops; the pyVmomi loop is the one the issue names.
  const against = (f) =>
    `pyVmomi loop ${viaProxy.pyvmomi ? f('pyvmomi') : PYVMOMI_MISSING}, govmomi loop ${f('govmomi')}`;
  const faster = (loop) => times(viaProxy[loop].seconds / viaProxy.drperm.seconds);
  const slower = (loop) => times(direct.drperm.seconds / direct[loop].seconds);
  process.stdout.write(
    `\napply a ${vms}-VM tenant (${viaProxy.drperm.objects} objects) in a ${inventory}-VM inventory\n` +
      `${table(rows)}\n` +
      `goals (issue 10's reference is the sequential pyVmomi loop; the govmomi loop is a stricter floor):\n` +
      `  through the proxy >= 3x faster than the loop (loop / drperm): ${against(faster)}\n` +
      `  direct <= 1.5x the loop's whole-process time (drperm / loop): ${against(slower)}\n`,
  );
  const sweepRows = [['drperm tenant apply --concurrency', 'through the proxy', 'direct']];
  for (const { concurrency, r } of swept) {
    sweepRows.push([String(concurrency), cell(r.proxy), cell(r.direct)]);
  }
  process.stdout.write(`\n${table(sweepRows)}\n`);
  process.stdout.write(
    `\nmedian wall time of ${runs} rotated round(s) (the sweep: one run each), peak RSS` +
      `${TIME ? '' : ' (n/a: /usr/bin/time is missing)'}; each process includes its own start-up, login, lookup and logout.\n`,
  );
}

module.exports = { benchApply };

if (require.main === module) {
  benchApply().catch((err) => {
    process.stderr.write(`bench-apply failed: ${err.message}\n`);
    process.exitCode = 1;
  });
}
