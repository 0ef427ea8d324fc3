#!/usr/bin/env node
// `npm run demo`: the whole drperm story on the bundled simulator lab, narrated.
// It runs the same commands a partner would type (printed with `$`), against a vCenter
// simulator with two tenants and one deliberate leak, plus the NSX Manager test server.
// Exit 0 when every step behaved as expected (including the audit finding the leak).
'use strict';
const { mkdirSync, readFileSync, readdirSync } = require('node:fs');
const { join, relative } = require('node:path');

const { ROOT, stamp, bold, step, drperm } = require('./demo-lib');
const { startLab } = require(join(ROOT, 'dist-lab'));
const { startNsxServer } = require(join(ROOT, 'dist-lab', 'nsx-server'));

const OUT = join(ROOT, 'reports', `demo-${stamp()}`);
const TENANTS = 'policies/tenants';
const MEMBERSHIP = 'policies/examples/lab-membership.yaml';

async function main() {
  mkdirSync(OUT, { recursive: true });
  step('Start the lab: a vCenter simulator (scenario "demo") and an NSX Manager test server');
  const lab = await startLab({ scenario: 'demo' });
  const nsx = await startNsxServer({ scenario: 'avs' });
  try {
    const env = {
      DRPERM_URL: lab.url,
      DRPERM_USERNAME: lab.username,
      DRPERM_PASSWORD: lab.password,
      DRPERM_THUMBPRINT: lab.thumbprintSha256,
      DRPERM_NSX_URL: nsx.url,
      DRPERM_NSX_USERNAME: nsx.username,
      DRPERM_NSX_PASSWORD: nsx.password,
      DRPERM_NSX_THUMBPRINT: nsx.thumbprintSha256,
    };
    process.stdout.write(`vCenter ${lab.url} (certificate pinned by thumbprint)\n`);
    process.stdout.write(`NSX Manager ${nsx.url}\n`);

    step('1. Create the Azure_Site_Recovery role (seed 001), and see what AVS CloudAdmin lacks');
    await drperm(['role', 'apply', '--yes'], env);
    await drperm(['compare', 'cloudadmin'], env);

    step('2. Plan the onboarding of both tenants: nothing is changed yet');
    await drperm(['tenant', 'plan', '--tenant', TENANTS], env);

    step('3. Apply: back up, set each permission without propagation, read back and verify');
    await drperm(['tenant', 'apply', '--tenant', TENANTS, '--yes'], env);
    // verify compares the live state with the policies: it finds the planted leak (exit 1).
    await drperm(['tenant', 'verify', '--tenant', TENANTS], env, [1]);

    step('4. Collect NSX RBAC data and audit isolation across vCenter and NSX');
    const nsxSnapshot = join(OUT, 'nsx-snapshot.json');
    await drperm(['nsx', 'collect', '--out', nsxSnapshot], env);
    await drperm(
      [
        'audit',
        '--tenants',
        TENANTS,
        '--membership',
        MEMBERSHIP,
        '--nsx-snapshot',
        nsxSnapshot,
        '--out',
        OUT,
      ],
      env,
      [1], // the planted leak must be found
    );

    step('What the audit found');
    const jsonFile = readdirSync(OUT).find(
      (f) => f.startsWith('drperm-audit') && f.endsWith('.json'),
    );
    const report = JSON.parse(readFileSync(join(OUT, jsonFile), 'utf8'));
    for (const t of report.tenants) {
      process.stdout.write(`  ${t.tenant.padEnd(10)} ${t.verdict}\n`);
    }
    const leaks = report.findings.filter((f) => f.rule === 'cross-tenant-access');
    if (leaks.length === 0) throw new Error('the audit did not report the planted leak');
    const first = leaks[0];
    const evidence = first.evidence[0];
    process.stdout.write(
      `  ${leaks.length} cross-tenant finding(s), e.g. ${first.principal} reaches ${first.entity.path}` +
        (evidence
          ? ` through ${evidence.roleName} on ${evidence.entity.path} (propagate=${evidence.propagate})`
          : '') +
        '\n',
    );
    const xlsx = readdirSync(OUT).find((f) => f.endsWith('.xlsx'));
    process.stdout.write(
      `\n${bold('Workbook for auditors:')} ${relative(process.cwd(), join(OUT, xlsx))}\n`,
    );
    process.stdout.write(`All reports: ${relative(process.cwd(), OUT)}/\n`);
    process.stdout.write(
      // Every tenant, as the README asks: a plan of one tenant cannot see conflicts with the others.
      `\nTo fix the leak: drperm tenant plan --tenant ${TENANTS}/ --prune (every tenant), then tenant apply with the same flags.\n`,
    );
  } finally {
    await nsx.stop();
    await lab.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err.message}\n`);
  process.exitCode = 1;
});
