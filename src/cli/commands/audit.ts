/**
 * `drperm audit`: proves, object by object, that each tenant's account reaches only that
 * tenant's objects; writes the workbook, JSON and Markdown reports and prints a verdict per
 * tenant. Live (collects first) or offline from a snapshot, with identical results.
 */
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { AuditResult } from '../../audit/audit';
import {
  DEFAULT_FAIL_ON,
  parseSeverity,
  SEVERITIES,
  severityAtOrAbove,
  type Severity,
} from '../../audit/types';
import { runAudit } from '../../ops/audit-run';
import {
  auditFleet,
  liveSources,
  snapshotSources,
  type FleetAuditOutcome,
  type FleetSource,
} from '../../ops/fleet';
import {
  liveNsxSources,
  nsxDirsBeside,
  nsxSnapshotSources,
  type FleetNsxSource,
} from '../../ops/fleet-nsx';
import { fleetConcurrency } from '../../policy/fleet';
import { loadTenantPolicies } from '../../policy/tenant-policy';
import { REPORT_FORMATS, type ReportFile, type ReportFormat } from '../../report';
import { commandLineWithoutSecrets } from '../../report/evidence';
import { ExitCode, InputError } from '../../util/errors';
import { nearest } from '../../util/suggest';
import { checkWritableDir } from '../../util/out-path';
import { accountsToLogIn } from '../../ops/tenant-discover';
import { addConnectionOptions, resolveConnection, type ConnectionFlags } from '../connection';
import { makeContext, type CommandContext, type GlobalOptions } from '../context';
import {
  addDirectoryOptions,
  membershipSettings,
  type MembershipFlags,
} from '../membership-options';
import {
  addFleetOptions,
  fleetFile,
  fleetNsxTargets,
  fleetTargets,
  type FleetFlags,
} from '../fleet-connection';
import { run } from '../run';
import { snapshotSource } from '../snapshot-source';
import { addTenantFilesOption, tenantFiles, type TenantFileFlags } from '../tenant-option';
import {
  TENANT_PASSWORDS_OPTION,
  tenantPasswords,
  type TenantPasswordFlags,
} from '../tenant-passwords';

interface AuditFlags
  extends
    GlobalOptions,
    ConnectionFlags,
    TenantFileFlags,
    Omit<MembershipFlags, 'snapshot'>,
    FleetFlags,
    TenantPasswordFlags {
  snapshot: string[];
  out?: string;
  format: string;
  failOn: string;
  membership?: string;
  role?: string;
  avs?: boolean;
  nsxSnapshot?: string;
  previous?: string;
  sign?: string;
  discover?: boolean;
  confirmWithServer?: boolean;
}

const EXAMPLES = `
Examples:
  # audit every tenant file of a directory against a snapshot
  $ drperm audit --tenants policies/tenants --snapshot reports/vc01.json

  # live, workbook only, into a fixed directory; fail the CI job on medium findings too
  $ drperm audit --tenants policies/tenants --out reports/nightly --format xlsx --fail-on medium

  # Azure VMware Solution: also compare the tenant role with CloudAdmin, and audit NSX
  $ drperm nsx collect --out reports/nsx.json
  $ drperm audit --tenants contoso.yaml fabrikam.yaml --avs --membership groups.yaml \\
      --nsx-snapshot reports/nsx.json

  # the whole estate: every vCenter and NSX Manager of drperm.yaml live, or the snapshots
  # of collect --fleet (reports/estate/nsx/ too); --previous, --sign, --confirm-with-server
  # and --discover (live, per vCenter) work as for one vCenter
  $ drperm audit --fleet drperm.yaml --tenants policies/tenants
  $ drperm audit --snapshot reports/estate --tenants policies/tenants
  $ drperm audit --snapshot reports/vc-a.json --snapshot reports/vc-b.json --tenants policies/tenants

  # track findings since last month's review (Status/Owner/Comment carried over), and sign
  $ drperm audit --tenants policies/tenants --snapshot vc01.json \\
      --previous reports/2026-11/drperm-audit.xlsx --sign audit-key.pem
  $ drperm verify-report reports/.../drperm-audit-....xlsx --key audit-key.pub.pem

  # resolve groups: SSO from vCenter, the CORP domain from Active Directory (LDAPS, company CA)
  $ export DRPERM_LDAP_PASSWORD=...
  $ drperm audit --tenants policies/tenants --membership-from vcenter \\
      --ldap ldaps://dc01.corp.example --ldap-ca-file corp-ca.pem \\
      --ldap-bind-dn 'CN=drperm-audit,OU=Service,DC=corp,DC=example' \\
      --ldap-base-dn 'CORP,CORP.EXAMPLE=DC=corp,DC=example'

  # have vCenter confirm every computed answer, and see what each tenant account discovers
  $ drperm audit --tenants policies/tenants --confirm-with-server --discover \\
      --tenant-passwords tenant-passwords.yaml

Groups: --ldap answers for its --ldap-base-dn domains, --membership-from vcenter for the
others, the --membership file for the rest; groups none of them lists are reported as
group-grant-unresolved. A snapshot from \`drperm collect --membership-from vcenter\` (or --ldap)
carries its membership into an offline audit.

Verdict: a tenant is "isolated" when it has no critical or high finding.
Exit code 1 when a finding at or above --fail-on exists (default high); 3 when a vCenter or
NSX Manager of a fleet could not be audited (the others are, and the report says why it failed).
Rules: cross-tenant-access, shared-principal (critical); unowned-vm-access, propagating-grant,
excess-privilege, role-exceeds-cloudadmin (high); no-access-pattern, missing-grant,
mode-mismatch, role-drift, group-grant-unresolved (medium); with --nsx-snapshot also
nsx-cross-tenant-binding (critical), nsx-unsupported-role, nsx-role-exceeds-cloudadmin (high).`;

export function register(program: Command): void {
  addFleetOptions(
    addDirectoryOptions(
      addConnectionOptions(
        addTenantFilesOption(
          program.command('audit'),
          'tenants',
          'tenant policy files, or directories of *.yaml files',
        )
          .description(
            "audit tenant isolation: every tenant account's effective access, findings and reports",
          )

          .option(
            '--snapshot <fileOrDir>',
            'audit a snapshot from `drperm collect` instead of connecting; repeat it, or name a directory, for several vCenters (each named after its file)',
            (value: string, list: string[]) => [...list, value],
            [] as string[],
          )
          .option('--out <dir>', 'report directory (default reports/<UTC time>/)')
          .option(
            '--format <list>',
            'comma-separated report formats: xlsx, json, md',
            'xlsx,json,md',
          )
          .option(
            '--fail-on <severity>',
            `exit 1 at or above this severity (${SEVERITIES.join(', ')}); the same default as nsx audit`,
            DEFAULT_FAIL_ON,
          )
          .option(
            '--membership <file>',
            'YAML: group name -> member names, to resolve group permissions',
          )
          .option(
            '--role <file>',
            'role policy to check the live role against (default: the shipped Azure_Site_Recovery role)',
          )
          .option(
            '--avs',
            "Azure VMware Solution: compare the tenant role with CloudAdmin (the server's CloudAdmin role, else its documented privileges)",
          )
          .option(
            '--nsx-snapshot <file>',
            "also audit NSX roles and bindings from `drperm nsx collect` (adds nsx-* findings and an NSX sheet); for a fleet a file or directory of NSX snapshots, in place of the fleet file's NSX Managers (or DIR/nsx/ of --snapshot DIR)",
          )
          .option(
            '--previous <file>',
            'an earlier report (.json) or workbook (.xlsx): mark findings new, unchanged or resolved; an xlsx also gives its Status, Owner and Comment',
          )
          .option(
            '--sign <key>',
            'Ed25519 private key (PEM, PKCS#8): write a detached signature <report>.sig beside each report',
          )
          .option(
            '--confirm-with-server',
            'ask vCenter (FetchUserPrivilegeOnEntities) for each tenant account\'s privileges on every entity and compare (adds server-disagrees findings and a "Confirmed by vCenter" column)',
          )
          .option(
            '--discover',
            'log in as each tenant account and compare what it discovers with its policy (adds a "Seen as tenant" section)',
          )
          .option(...TENANT_PASSWORDS_OPTION),
      ),
    ),
  )
    .addHelpText('after', EXAMPLES)
    .action(
      run(async (_opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<AuditFlags>();
        const ctx = makeContext(opts);
        const failOn = parseSeverity(opts.failOn);
        const formats = parseFormats(opts.format);
        const tenants = await loadTenantPolicies(tenantFiles(opts));
        // Before collecting: a report directory that cannot be written fails now, not after.
        await checkWritableDir(opts.out ?? 'reports', '--out');
        // --discover: the tenant accounts' passwords, asked before the long work.
        const discoverPasswords = async () =>
          opts.discover ? tenantPasswords(accountsToLogIn(tenants), opts) : undefined;
        const sources = await fleetSources(opts, ctx);
        if (sources) {
          const passwords = await discoverPasswords();
          const fleet = await auditFleet(
            sources.list,
            {
              tenants,
              ...(opts.membership !== undefined ? { membershipFile: opts.membership } : {}),
              ...(opts.role !== undefined ? { roleFile: opts.role } : {}),
              avs: opts.avs === true,
              failOn,
              ...(opts.out !== undefined ? { outDir: opts.out } : {}),
              formats,
              concurrency: sources.concurrency,
              ...(sources.fleetFile !== undefined ? { fleetFile: sources.fleetFile } : {}),
              commandLine: commandLineWithoutSecrets(process.argv.slice(2)),
              nsx: sources.nsx,
              ...(opts.previous !== undefined ? { previousFile: opts.previous } : {}),
              ...(opts.sign !== undefined ? { signKey: opts.sign } : {}),
              serverChecks: {
                confirm: opts.confirmWithServer === true,
                discover: opts.discover === true,
                ...(passwords ? { passwords } : {}),
                ...(opts.membership !== undefined ? { membershipFile: opts.membership } : {}),
              },
              log: ctx.log,
            },
            ctx.emit,
          );
          ctx.out(renderFleetSummary(fleet, failOn));
          if (fleet.failed.length > 0) return ExitCode.Server;
          if (fleet.checksFailure !== undefined) return fleet.checksFailure;
          return fleet.failing > 0 ? ExitCode.Findings : ExitCode.Ok;
        }
        const passwords = await discoverPasswords();
        const { snapshot: files, ...single } = opts;
        const singleOpts = files[0] !== undefined ? { ...single, snapshot: files[0] } : single;
        const membership = await membershipSettings(
          singleOpts,
          tenants.map((t) => t.policy.account),
        );
        const source = await snapshotSource(singleOpts, ctx.log);
        const checking = opts.confirmWithServer === true || opts.discover === true;
        const connection = !checking
          ? undefined
          : 'connection' in source
            ? source.connection
            : await resolveConnection(opts, ctx.log);
        const outcome = await runAudit(
          {
            tenants,
            source,
            membership,
            ...(connection
              ? {
                  serverChecks: {
                    connection,
                    confirmWithServer: opts.confirmWithServer === true,
                    ...(passwords ? { discover: { passwords } } : {}),
                  },
                }
              : {}),
            options: {
              ...(opts.role !== undefined ? { roleFile: opts.role } : {}),
              avs: opts.avs === true,
              ...(opts.nsxSnapshot !== undefined ? { nsxSnapshotFile: opts.nsxSnapshot } : {}),
              failOn,
              ...(opts.out !== undefined ? { outDir: opts.out } : {}),
              formats,
              ...(opts.previous !== undefined ? { previousFile: opts.previous } : {}),
              ...(opts.sign !== undefined ? { signKey: opts.sign } : {}),
              commandLine: commandLineWithoutSecrets(process.argv.slice(2)),
            },
          },
          ctx.log,
          ctx.emit,
        );
        ctx.out(renderSummary(outcome.result, outcome.files, failOn));
        return outcome.exitCode;
      }),
    );
}

/**
 * The fleet path: --fleet (live), several --snapshot, or a directory of snapshots. One
 * snapshot file keeps the single-vCenter report.
 */
async function fleetSources(
  opts: AuditFlags,
  ctx: CommandContext,
): Promise<
  | { list: FleetSource[]; nsx: FleetNsxSource[]; concurrency: number; fleetFile?: string }
  | undefined
> {
  const nsxFiles = opts.nsxSnapshot !== undefined ? [opts.nsxSnapshot] : undefined;
  if (opts.snapshot.length > 0) {
    if (opts.fleet !== undefined) {
      throw new InputError('--fleet and --snapshot exclude each other', {
        hint: 'audit the fleet live with --fleet, or its snapshots (from `collect --fleet`) with --snapshot DIR',
      });
    }
    const single = opts.snapshot.length === 1 && !(await isDirectory(opts.snapshot[0]!));
    if (single) return undefined;
    refuseLiveOnly(opts);
    return {
      list: await snapshotSources(opts.snapshot),
      // Beside the snapshots of `collect --fleet DIR`: DIR/nsx/.
      nsx: await nsxSnapshotSources(nsxFiles ?? (await nsxDirsBeside(opts.snapshot))),
      concurrency: 4,
    };
  }
  if (opts.fleet === undefined) return undefined;
  const { loaded, targets } = await fleetTargets(opts);
  return {
    list: liveSources(targets, ctx.log),
    nsx: nsxFiles
      ? await nsxSnapshotSources(nsxFiles)
      : liveNsxSources(await fleetNsxTargets(loaded, opts), ctx.log),
    concurrency: fleetConcurrency(loaded.fleet),
    fleetFile: fleetFile(opts)!,
  };
}

/** The server checks ask each vCenter: an offline fleet audit has no connection to them. */
function refuseLiveOnly(opts: AuditFlags): void {
  const given = (
    [
      ['--confirm-with-server', opts.confirmWithServer === true],
      ['--discover', opts.discover === true],
    ] as const
  ).filter(([, v]) => v);
  if (given.length > 0) {
    throw new InputError(
      `${given.map(([f]) => f).join(' and ')} ask${given.length === 1 ? 's' : ''} each vCenter; an audit of several snapshots has no connection to them`,
      { hint: 'audit the estate live with --fleet drperm.yaml' },
    );
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

export function renderFleetSummary(outcome: FleetAuditOutcome, failOn: Severity): string {
  const { result } = outcome;
  const lines: string[] = [];
  const width = Math.max(7, ...result.vcenters.map((v) => v.name.length));
  for (const v of result.vcenters) {
    const counts =
      SEVERITIES.filter((s) => v.findings[s] > 0)
        .map((s) => `${v.findings[s]} ${s}`)
        .join(', ') || 'no findings';
    const what =
      v.status === 'failed'
        ? `FAILED: ${v.error ?? ''}`
        : `${v.tenants.length} tenant${v.tenants.length === 1 ? '' : 's'}, ${counts}`;
    lines.push(`vCenter ${v.name.padEnd(width)}  ${what}`);
  }
  for (const m of outcome.report.nsxManagers ?? []) {
    const serves = m.vcenter !== undefined ? `serves ${m.vcenter}` : 'serves every vCenter';
    lines.push(
      `NSX Manager ${m.name}  ${m.status === 'failed' ? `FAILED: ${m.error ?? ''}` : `audited, ${serves}`}`,
    );
  }
  lines.push('');
  const summary = renderSummary(result, outcome.files, failOn).split('\n');
  result.tenants.forEach((t, i) => {
    const what = t.unaudited?.map((u) => (u.startsWith('NSX Manager ') ? u : `vCenter ${u}`));
    if (what) summary[i] += ` (${what.join(', ')} not audited)`;
  });
  return [...lines, ...summary].join('\n');
}

export function parseFormats(value: string): ReportFormat[] {
  const parts = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  if (parts.length === 0)
    throw new InputError('--format is empty', { hint: 'e.g. --format xlsx,json,md' });
  for (const p of parts) {
    if (!(REPORT_FORMATS as readonly string[]).includes(p)) {
      throw new InputError(`--format "${p}" is not a report format`, {
        hint: `use a comma-separated list of ${REPORT_FORMATS.join(', ')}${suggestion(p, REPORT_FORMATS)}`,
      });
    }
  }
  return parts as ReportFormat[];
}

function suggestion(value: string, candidates: readonly string[]): string {
  const [best] = nearest(value, candidates, 1);
  return best ? ` (did you mean ${best}?)` : '';
}

export function renderSummary(
  result: AuditResult,
  files: readonly ReportFile[],
  failOn: Severity,
): string {
  const lines: string[] = [];
  const width = Math.max(6, ...result.tenants.map((t) => t.tenant.length));
  for (const t of result.tenants) {
    const counts = SEVERITIES.filter((s) => t.findings[s] > 0)
      .map((s) => `${t.findings[s]} ${s}`)
      .join(', ');
    lines.push(`${t.tenant.padEnd(width)}  ${t.verdict.padEnd(12)}  ${counts || 'no findings'}`);
  }
  const total = result.findings.length;
  const atOrAbove = result.findings.filter((f) => severityAtOrAbove(f.severity, failOn)).length;
  lines.push('', `${total} finding${total === 1 ? '' : 's'}; ${atOrAbove} at or above ${failOn}.`);
  if (files.length > 0) {
    lines.push('Reports:');
    for (const f of files) lines.push(`  ${f.path}`);
  }
  return lines.join('\n');
}
