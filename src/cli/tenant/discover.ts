/**
 * `drperm tenant discover`: the guide's final check ("verify that only the tenant's VMs are
 * displayed in Replicate > Select virtual machines") done by drperm, as each tenant's own
 * account. The use case is src/ops/tenant-discover.ts; here are the flags and the table.
 */
import type { Command } from 'commander';
import type { SeenAsTenant } from '../../audit/seen-as-tenant';
import { loadTenantPolicies } from '../../policy/tenant-policy';
import type { TenantDiscoveryResult } from '../../ops/discover';
import { accountsToLogIn, discoverLive } from '../../ops/tenant-discover';
import { addConnectionOptions, resolveConnection } from '../connection';
import { makeContext, printJson } from '../context';
import { run } from '../run';
import { tenantFiles } from '../tenant-option';
import {
  addTenantPasswordOption,
  tenantPasswords,
  type TenantPasswordFlags,
} from '../tenant-passwords';
import { withTenantOption, type TenantOptions } from './options';

const DISCOVER_EXAMPLES = `
Examples:
  # one tenant: its account's password from the environment
  $ DRPERM_TENANT_PASSWORD=... drperm tenant discover --tenant policies/tenants/contoso.yaml

  # every tenant: passwords from a file only you can read (YAML "contoso: <password>")
  $ chmod 600 tenant-passwords.yaml
  $ drperm tenant discover --tenant policies/tenants/ --tenant-passwords tenant-passwords.yaml --json

The connection options are the administrator's: drperm reads the inventory with them to
resolve the policies, then logs in as each tenant account with the same URL and TLS settings,
lists what that session discovers (container views from the root folder, as the ASR
configuration server does), and logs it out.
Exit codes: 0 every account sees exactly its own VMs and the shared objects of the guide's
table; 1 a foreign VM is visible (critical) or a tenant VM, management server or shared object
is not (high); 2 bad input (a group account, no password); 3 a login was refused or the server failed.`;

export function registerDiscover(tenant: Command): void {
  addConnectionOptions(
    addTenantPasswordOption(
      withTenantOption(tenant.command('discover'))
        .description(
          "log in as each tenant's vCenter account and list what it discovers (VMs, hosts and clusters, datastores, networks) against its policy",
        )
        .option('--json', 'print what each account discovers, and the findings, as JSON on stdout'),
    ),
  )
    .addHelpText('after', DISCOVER_EXAMPLES)
    .action(
      run(async (_o: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<TenantOptions & TenantPasswordFlags>();
        const ctx = makeContext(opts);
        const policies = await loadTenantPolicies(tenantFiles(opts));
        const passwords = await tenantPasswords(accountsToLogIn(policies), opts);
        const connection = await resolveConnection(opts, ctx.log);
        const { results, exitCode } = await discoverLive(
          connection,
          policies,
          passwords,
          ctx.log,
          ctx.emit,
        );
        if (opts.json) printJson(ctx, discoveryJson(results));
        else ctx.out(results.map(renderSeenAsTenant).join('\n\n'));
        return exitCode;
      }),
    );
}

export function discoveryJson(results: readonly TenantDiscoveryResult[]) {
  return {
    tenants: results,
    findings: results.reduce((n, r) => n + r.findings.length, 0),
    exact: results.filter((r) => r.status === 'exact').map((r) => r.tenant),
  };
}

const KIND_LABEL: Record<string, string> = {
  vm: 'VM',
  datacenter: 'datacenter',
  cluster: 'cluster',
  host: 'host',
  datastoreCluster: 'datastore cluster',
  datastore: 'datastore',
  network: 'network',
};

export function renderSeenAsTenant(r: SeenAsTenant): string {
  const lines: string[] = [];
  if (r.status === 'not discovered') {
    lines.push(`${r.tenant} (${r.principal}): not discovered: ${r.reason ?? ''}`);
    return lines.join('\n');
  }
  const c = r.counts;
  lines.push(
    `${r.tenant} (${r.principal}): ${r.status === 'exact' ? 'sees exactly what it should' : `${r.findings.length} finding(s)`}`,
    `  ${c.vms} VM(s) (${c.ownVms} own, ${c.foreignVms} foreign), ${c.clusters} cluster(s), ${c.hosts} host(s), ${c.datastoreClusters} datastore cluster(s), ${c.datastores} datastore(s), ${c.networks} network(s); vCenter root ${r.rootVisible ? 'visible' : 'NOT visible'}`,
    '',
  );
  const rows = r.objects.map((o) => [
    o.kind === 'vm' ? (o.foreign ? 'FOREIGN' : 'own') : '',
    KIND_LABEL[o.kind] ?? o.kind,
    o.entity.path,
    o.folder ?? '',
    o.resourcePool ?? '',
    o.kind === 'vm' ? (o.owner ?? '(no tenant)') : '',
  ]);
  lines.push(...table(['', 'KIND', 'PATH', 'FOLDER', 'RESOURCE POOL', 'OWNER'], rows));
  for (const vm of r.missingVms)
    lines.push(`  NOT VISIBLE  VM  ${vm.path}  (not discoverable in the Azure portal)`);
  for (const s of r.missingShared) lines.push(`  NOT VISIBLE  ${s.kind}  ${s.entity.path}`);
  if (r.findings.length > 0) {
    lines.push('');
    for (const f of r.findings) lines.push(`  ${f.severity.padEnd(8)}  ${f.rule}  ${f.message}`);
  }
  return lines.join('\n');
}

function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    '  ' +
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}
