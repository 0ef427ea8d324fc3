/**
 * What the benchmarks share: flags, running a command under /usr/bin/time (wall seconds and
 * peak RSS), medians and formatting, the lab tenants' policy files, and a timed offline audit.
 */
'use strict';
const { spawn } = require('node:child_process');
const { existsSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
function strArg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** Runs a command under /usr/bin/time; resolves with wall seconds and peak RSS (MiB). */
function measure(command, args, env) {
  return new Promise((done, reject) => {
    const [cmd, argv] = TIME ? [TIME, ['-f', 'BENCH %e %M', command, ...args]] : [command, args];
    const started = process.hrtime.bigint();
    const child = spawn(cmd, argv, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const m = /BENCH ([\d.]+) (\d+)/.exec(stderr);
      done({ code, stdout, stderr, seconds: wall, rssMiB: m ? Number(m[2]) / 1024 : NaN });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (s) => `${s.toFixed(2)} s`;
const mib = (m) => (Number.isNaN(m) ? 'n/a' : `${Math.round(m)} MiB`);

/** One tenant file per lab tenant folder; in a fleet, names are prefixed with their vCenter. */
function tenantFiles(dir, count, vcenter) {
  for (let t = 0; t < count; t++) {
    const folder = `tenant-${String(t).padStart(3, '0')}`;
    const name = vcenter ? `${vcenter}-${folder}` : folder;
    writeFileSync(
      join(dir, `${name}.yaml`),
      [
        `tenant: ${name}`,
        'mode: failback',
        ...(vcenter ? [`vcenter: ${vcenter}`] : []),
        `account: { principal: 'VSPHERE.LOCAL\\asr-${name}' }`,
        'objects:',
        '  datacenters: [/DC0]',
        `  vms: { folders: [/DC0/vm/${folder}] }`,
        '',
      ].join('\n'),
    );
  }
}

/**
 * `drperm audit` of a snapshot (or directory of snapshots), JSON only, `runs` times;
 * `extraArgs` and `env` for variants (--confirm-with-server and its vCenter).
 */
async function timedAudits(snapshot, tenantsDir, outDir, runs, { extraArgs = [], env = {} } = {}) {
  const audits = [];
  for (let i = 0; i < runs; i++) {
    const a = await measure(
      CLI,
      [
        'audit',
        '--tenants',
        tenantsDir,
        '--snapshot',
        snapshot,
        ...extraArgs,
        '--format',
        'json',
        '--out',
        join(outDir, `audit-${i}`),
        '--fail-on',
        'critical',
      ],
      env,
    );
    if (a.code !== 0) throw new Error(`drperm audit ${extraArgs.join(' ')} failed:\n${a.stderr}`);
    audits.push(a);
  }
  return audits;
}

module.exports = {
  ROOT,
  CLI,
  arg,
  strArg,
  measure,
  median,
  fmt,
  mib,
  tenantFiles,
  timedAudits,
  TIME,
};
