#!/usr/bin/env node
// `npm run demo:fleet`: a partner estate of two vCenters (README "Dedicated and managed-service
// models"), narrated: a dedicated vCenter for one tenant and a shared one, named in a fleet
// file; one `tenant apply --fleet` onboards all tenants; `collect --fleet` snapshots both at
// once; one audit covers the estate, live and offline. The planted mistake: the dedicated
// tenant's account is also fabrikam's on the shared vCenter (one SSO domain, Enhanced Linked
// Mode). Exit 0 when every step behaved as expected (including the audit finding it).
'use strict';
const { mkdirSync, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const { ROOT, stamp, step, drperm } = require('./demo-lib');
const { startLab } = require(join(ROOT, 'dist-lab'));

const OUT = join(ROOT, 'reports', `demo-fleet-${stamp()}`);
const TENANTS = 'policies/examples/fleet';

const rel = (p) => relative(ROOT, p);

function fleetYaml(labs) {
  return [
    '# yaml-language-server: $schema=../../policies/fleet.schema.json',
    'vcenters:',
    ...labs.flatMap(([name, lab, env]) => [
      `  - name: ${name}`,
      `    url: ${lab.url}`,
      `    passwordEnv: ${env}`,
      `    thumbprint: ${lab.thumbprintSha256}`,
    ]),
    'defaults:',
    `  username: ${labs[0][1].username}`,
    '',
  ].join('\n');
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  step('Start two vCenter labs: vc-dedicated (one tenant) and vc-shared (shared hosting)');
  const [dedicated, shared] = await Promise.all([startLab(), startLab()]);
  try {
    const labs = [
      ['vc-dedicated', dedicated, 'DEMO_VC_DEDICATED_PASSWORD'],
      ['vc-shared', shared, 'DEMO_VC_SHARED_PASSWORD'],
    ];
    const fleet = join(OUT, 'drperm.yaml');
    writeFileSync(fleet, fleetYaml(labs));
    const env = Object.fromEntries(labs.map(([, lab, name]) => [name, lab.password]));
    process.stdout.write(`${rel(fleet)} (passwords come from the environment, never the file):\n`);
    process.stdout.write(readFileSync(fleet, 'utf8').replace(/^/gm, '  '));

    step('1. The tenant role on each vCenter (role apply talks to one vCenter at a time)');
    for (const [name, lab] of labs) {
      process.stdout.write(`vCenter ${name}:\n`);
      await drperm(['role', 'apply', '--yes', '--quiet'], {
        DRPERM_URL: lab.url,
        DRPERM_USERNAME: lab.username,
        DRPERM_PASSWORD: lab.password,
        DRPERM_THUMBPRINT: lab.thumbprintSha256,
      });
    }

    step('2. Onboard every tenant on the vCenter its file names (vcenter: NAME), one confirmation');
    for (const f of readdirSync(join(ROOT, TENANTS)).sort()) {
      const text = readFileSync(join(ROOT, TENANTS, f), 'utf8');
      process.stdout.write(`  ${f}: vcenter ${/^vcenter: (.*)$/m.exec(text)?.[1]}\n`);
    }
    await drperm(
      ['tenant', 'apply', '--fleet', rel(fleet), '--tenant', TENANTS, '--yes', '--quiet'],
      env,
    );

    step('3. Snapshot both vCenters at once');
    const estate = join(OUT, 'estate');
    await drperm(['collect', '--fleet', rel(fleet), '--out', rel(estate)], env);

    step('4. One audit for the estate, offline from the snapshots (exit 1: findings)');
    const offline = join(OUT, 'audit-offline');
    await drperm(
      ['audit', '--snapshot', rel(estate), '--tenants', TENANTS, '--out', rel(offline)],
      env,
      [1],
    );

    step('5. The same audit live: the same findings');
    const live = join(OUT, 'audit-live');
    await drperm(
      [
        'audit',
        '--fleet',
        rel(fleet),
        '--tenants',
        TENANTS,
        '--out',
        rel(live),
        '--format',
        'json',
        '--quiet',
      ],
      env,
      [1],
    );
    const read = (dir) => {
      const file = readdirSync(dir).find((f) => f.endsWith('.json'));
      return JSON.parse(readFileSync(join(dir, file), 'utf8'));
    };
    const a = read(offline);
    const b = read(live);
    if (JSON.stringify(a.findings) !== JSON.stringify(b.findings))
      throw new Error('live and offline audits disagree');
    process.stdout.write(`live and offline: the same ${a.findings.length} findings\n`);

    step('What the audit found across vCenters');
    for (const rule of ['shared-principal', 'cross-tenant-access']) {
      const found = a.findings.filter((f) => f.rule === rule);
      if (found.length === 0) throw new Error(`the audit did not report ${rule}`);
      const f = found[0];
      process.stdout.write(`  ${rule} (${found.length}), e.g. [${f.vcenter}] ${f.message}\n`);
    }
    process.stdout.write(`\nAll reports: ${rel(OUT)}/\n`);
    process.stdout.write(
      `\nTo fix it: give fabrikam-dr an account of its own in ${TENANTS}/fabrikam-dr.yaml, then tenant apply --fleet --prune.\n`,
    );
  } finally {
    await Promise.all([dedicated.stop(), shared.stop()]);
  }
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err.message}\n`);
  process.exitCode = 1;
});
