#!/usr/bin/env node
// `npm run bench:fleet` (also the last part of `npm run bench`): one estate as one large vCenter
// and as a fleet (README "Dedicated and managed-service models"). One lab of --vms VMs in
// --tenants tenants is collected and audited offline; then --fleet-labs labs of vms/N VMs and
// tenants/N tenants each are collected with `collect --fleet` and audited with
// `audit --snapshot DIR`; time and peak RSS are printed side by side.
//
//   npm run bench:fleet -- [--vms 45000] [--tenants 50] [--runs 3] [--page-size 1000] [--fleet-labs 5]
//
// Prints figures; asserts nothing (speed is measured here, not in tests).
'use strict';
const { mkdtempSync, mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const {
  ROOT,
  CLI,
  arg,
  measure,
  median,
  fmt,
  mib,
  tenantFiles: writeTenantFiles,
  timedAudits,
  TIME,
} = require('./bench-lib');
const { startLab } = require(join(ROOT, 'dist-lab'));

const VMS = arg('--vms', 45000);
const TENANTS = arg('--tenants', 50);
const RUNS = arg('--runs', 3);
const PAGE_SIZE = arg('--page-size', 1000);
const FLEET_LABS = arg('--fleet-labs', 5);

const tenantFiles = (dir, count = TENANTS, vcenter) => writeTenantFiles(dir, count, vcenter);

/** The same estate as FLEET_LABS labs: collect --fleet and an offline fleet audit, RUNS times each. */
async function benchFleet(work) {
  const vms = Math.round(VMS / FLEET_LABS);
  const tenants = Math.max(1, Math.round(TENANTS / FLEET_LABS));
  process.stdout.write(`Starting ${FLEET_LABS} labs: ${vms} VMs in ${tenants} tenants each ...\n`);
  const started = Date.now();
  const labs = await Promise.all(
    Array.from({ length: FLEET_LABS }, () =>
      startLab({ scenario: 'lab', scale: { vms, tenants }, timeoutMs: 600000 }),
    ),
  );
  process.stdout.write(`labs ready in ${fmt((Date.now() - started) / 1000)}\n`);
  try {
    const names = labs.map((_, i) => `vc${i}`);
    const fleet = join(work, 'drperm.yaml');
    writeFileSync(
      fleet,
      [
        'vcenters:',
        ...labs.flatMap((lab, i) => [
          `  - name: ${names[i]}`,
          `    url: ${lab.url}`,
          `    username: ${lab.username}`,
          `    passwordEnv: BENCH_VC${i}_PASSWORD`,
          `    thumbprint: ${lab.thumbprintSha256}`,
        ]),
        `defaults: { concurrency: ${FLEET_LABS} }`,
        '',
      ].join('\n'),
    );
    const env = Object.fromEntries(labs.map((lab, i) => [`BENCH_VC${i}_PASSWORD`, lab.password]));
    const tenantsDir = join(work, 'fleet-tenants');
    mkdirSync(tenantsDir);
    names.forEach((n) => tenantFiles(tenantsDir, tenants, n));
    const collects = [];
    const audits = [];
    for (let i = 0; i < RUNS; i++) {
      const estate = join(work, `estate-${i}`);
      const c = await measure(
        CLI,
        ['collect', '--fleet', fleet, '--out', estate, '--page-size', String(PAGE_SIZE), '--json'],
        env,
      );
      if (c.code !== 0) throw new Error(`drperm collect --fleet failed:\n${c.stderr}`);
      collects.push(c);
      const a = await measure(
        CLI,
        [
          'audit',
          '--tenants',
          tenantsDir,
          '--snapshot',
          estate,
          '--format',
          'json',
          '--out',
          join(work, `fleet-audit-${i}`),
          '--fail-on',
          'critical',
        ],
        {},
      );
      if (a.code !== 0) throw new Error(`drperm audit (fleet) failed:\n${a.stderr}`);
      audits.push(a);
    }
    return { vms, tenants, collects, audits };
  } finally {
    await Promise.all(labs.map((l) => l.stop()));
  }
}

async function main() {
  process.stdout.write(`Starting the lab: ${VMS} VMs in ${TENANTS} tenants ...\n`);
  const labStarted = Date.now();
  const lab = await startLab({
    scenario: 'lab',
    scale: { vms: VMS, tenants: TENANTS },
    timeoutMs: 600000,
  });
  process.stdout.write(`lab ready in ${fmt((Date.now() - labStarted) / 1000)}\n`);
  const work = mkdtempSync(join(tmpdir(), 'drperm-bench-'));
  try {
    const env = {
      DRPERM_URL: lab.url,
      DRPERM_USERNAME: lab.username,
      DRPERM_PASSWORD: lab.password,
      DRPERM_THUMBPRINT: lab.thumbprintSha256,
    };
    const snapshot = join(work, 'snapshot.json');
    const ours = [];
    for (let i = 0; i < RUNS; i++) {
      const a = await measure(
        CLI,
        ['collect', '--out', snapshot, '--page-size', String(PAGE_SIZE), '--json'],
        env,
      );
      if (a.code !== 0) throw new Error(`drperm collect failed:\n${a.stderr}`);
      ours.push(a);
    }
    const entities = JSON.parse(ours[0].stdout).counts?.entities;

    const tenantsDir = join(work, 'tenants');
    mkdirSync(tenantsDir);
    tenantFiles(tenantsDir);
    const audits = await timedAudits(snapshot, tenantsDir, work, RUNS);

    // The large lab goes before the fleet starts: the machine holds one estate at a time.
    await lab.stop();
    const fleet = FLEET_LABS > 0 ? await benchFleet(work) : undefined;

    const row = (label, a, b) => `${label.padEnd(44)} ${a.padEnd(22)} ${b}\n`;
    if (fleet) {
      const figure = (rs) =>
        `${fmt(median(rs.map((r) => r.seconds)))}, ${mib(Math.max(...rs.map((r) => r.rssMiB)))}`;
      process.stdout.write(
        '\n' +
          row(
            `${entities} entities as ${FLEET_LABS} vCenters`,
            'drperm fleet',
            'drperm, one vCenter',
          ),
      );
      process.stdout.write(
        row(
          `collect --fleet, ${FLEET_LABS} x ${fleet.vms} VMs`,
          figure(fleet.collects),
          figure(ours),
        ),
      );
      process.stdout.write(
        row(
          `audit offline, ${FLEET_LABS} x ${fleet.tenants} tenants`,
          figure(fleet.audits),
          figure(audits),
        ),
      );
    }
    process.stdout.write(
      `\nmedian wall time of ${RUNS} run(s), peak RSS${TIME ? '' : ' (n/a: /usr/bin/time is missing; apt-get install time)'}; ` +
        'each process includes its own start-up, login and logout.\n',
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
    await lab.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err.message}\n`);
  process.exitCode = 1;
});
