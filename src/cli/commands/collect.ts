/**
 * `drperm collect`: reads roles, privileges, permissions and the whole inventory of one
 * vCenter into a snapshot file, the input of offline audits.
 */
import type { Command } from 'commander';
import { collectFleet, collectFleetNsx, type FleetCollectRow } from '../../ops/fleet';
import { collectToFile, type CollectReport } from '../../ops/snapshot';
import { fleetConcurrency } from '../../policy/fleet';
import { fileSafeTimestamp } from '../../report/text';
import { ExitCode, InputError } from '../../util/errors';
import { DEFAULT_PAGE_SIZE } from '../../vsphere/collect';
import { checkWritableFile } from '../../util/out-path';
import { addConnectionOptions, onVcenter, type ConnectionFlags } from '../connection';
import { makeContext, printJson, type CommandContext, type GlobalOptions } from '../context';
import { MembershipSources } from '../../ops/membership';
import {
  addDirectoryOptions,
  membershipSettings,
  type MembershipFlags,
} from '../membership-options';
import {
  addFleetOptions,
  fleetNsxTargets,
  fleetTargets,
  type FleetFlags,
} from '../fleet-connection';
import { run } from '../run';

interface CollectFlags extends GlobalOptions, ConnectionFlags, MembershipFlags, FleetFlags {
  out?: string;
  pageSize?: string;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  # reuse a govc set-up (GOVC_URL, GOVC_USERNAME, GOVC_PASSWORD)
  $ drperm collect

  # pin the certificate of a vCenter with a self-signed certificate
  $ export DRPERM_URL=vcenter.example.com DRPERM_USERNAME=audit@vsphere.local
  $ drperm collect --thumbprint 3F:9A:...:C2 --out reports/vc01.json

  # password from a secret store, machine-readable result
  $ pass show vc01 | drperm collect --password-stdin --json

  # every vCenter and NSX Manager of the fleet file (drperm.yaml), in parallel:
  # reports/estate/<vcenter>.json and reports/estate/nsx/<manager>.json
  $ drperm collect --fleet drperm.yaml --out reports/estate

  # record group membership for offline audits: SSO groups from vCenter, CORP from Active Directory
  $ export DRPERM_LDAP_PASSWORD=...
  $ drperm collect --membership-from vcenter --ldap ldaps://dc01.corp.example \\
      --ldap-base-dn CORP,CORP.EXAMPLE=DC=corp,DC=example \\
      --ldap-bind-dn 'CN=drperm-audit,OU=Service,DC=corp,DC=example' --ldap-ca-file corp-ca.pem

The snapshot holds no password. Its SHA-256 is printed so an auditor can verify the file later.`;

export function register(program: Command): void {
  addFleetOptions(
    addDirectoryOptions(
      addConnectionOptions(
        program
          .command('collect')
          .description(
            'collect roles, privileges, permissions and the inventory of a vCenter into a snapshot file',
          )
          .option(
            '--out <file>',
            'snapshot file to write (default reports/snapshot-<vcenter>-<UTC time>.json); with --fleet a directory (default reports/fleet-<UTC time>/)',
          )
          .option('--page-size <n>', `objects per inventory page (default ${DEFAULT_PAGE_SIZE})`)
          .option('--json', 'print the result as JSON on stdout'),
      ),
    ),
  )
    .addHelpText('after', EXAMPLES)
    .action(
      run(async (_opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<CollectFlags>();
        const ctx = makeContext(opts);
        const pageSize = parsePageSize(opts.pageSize);
        if (opts.fleet !== undefined) return collectTheFleet(opts, ctx, pageSize);
        // Before collecting: an --out that cannot be written fails now, not after the work.
        await checkWritableFile(opts.out ?? 'reports/snapshot.json', '--out');
        const directory = await MembershipSources.open(await membershipSettings(opts), ctx.emit);
        const result = await onVcenter(opts, ctx, (client) =>
          collectToFile(
            client,
            {
              pageSize,
              ...(opts.out !== undefined ? { out: opts.out } : {}),
              enrich: (c, s) => directory.recordInSnapshot(c, s),
            },
            ctx.emit,
          ),
        ).finally(() => directory.close());
        report(ctx, opts.json === true, result);
      }),
    );
}

export function parsePageSize(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PAGE_SIZE;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100000) {
    throw new InputError(`--page-size must be a whole number from 1 to 100000, got "${value}"`);
  }
  return n;
}

async function collectTheFleet(
  opts: CollectFlags,
  ctx: CommandContext,
  pageSize: number,
): Promise<number> {
  const { loaded, targets } = await fleetTargets(opts);
  const outDir = opts.out ?? `reports/fleet-${fileSafeTimestamp(new Date())}`;
  const nsx = await fleetNsxTargets(loaded, opts);
  const concurrency = fleetConcurrency(loaded.fleet);
  const [vcenters, managers] = await Promise.all([
    collectFleet(targets, { outDir, concurrency, pageSize }, ctx.log, ctx.emit),
    collectFleetNsx(nsx, { outDir, concurrency }, ctx.log, ctx.emit),
  ]);
  const rows = [...vcenters, ...managers];
  if (opts.json === true) printJson(ctx, { outDir, vcenters: rows });
  else ctx.out(renderFleetTable(rows));
  // One vCenter failing does not stop the others, but the run is not complete: exit 3.
  return rows.some((r) => r.status === 'failed') ? ExitCode.Server : ExitCode.Ok;
}

export function renderFleetTable(rows: readonly FleetCollectRow[]): string {
  const header = ['server', 'status', 'VMs', 'permissions', 'seconds', 'snapshot or error'];
  const cells = rows.map((r) => [
    r.kind === 'nsx' ? `${r.name} (NSX)` : r.name,
    r.status,
    r.virtualMachines !== undefined ? String(r.virtualMachines) : '-',
    r.permissions !== undefined ? String(r.permissions) : '-',
    r.seconds.toFixed(1),
    r.path ?? r.error ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
  const failed = rows.filter((r) => r.status === 'failed').length;
  return [
    line(header),
    ...cells.map(line),
    '',
    `${rows.length - failed} of ${rows.length} servers collected${failed > 0 ? `; ${failed} failed` : ''}.`,
  ].join('\n');
}

function report(ctx: CommandContext, json: boolean, r: CollectReport): void {
  if (json) return printJson(ctx, r);
  const c = r.counts;
  ctx.out(
    [
      `snapshot written: ${r.path}`,
      `  vCenter:     ${r.vcenter.fullName} (${r.vcenter.url})`,
      `  entities:    ${c.entities} (${c.virtualMachines} virtual machines)`,
      `  roles:       ${c.roles}`,
      `  permissions: ${c.permissions}`,
      `  privileges:  ${c.privileges} (from ${r.privilegeSource})`,
      ...(r.membership
        ? [
            `  membership:  ${r.membership.groups} groups, ${r.membership.edges} memberships, ${r.membership.unresolved} unresolved (from ${r.membership.sources.join(', ')})`,
          ]
        : []),
      `  warnings:    ${r.warnings.length}`,
      `  sha256:      ${r.sha256}`,
    ].join('\n'),
  );
}
