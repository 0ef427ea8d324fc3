/**
 * `drperm audit`: proves, object by object, that each tenant's account reaches only that
 * tenant's objects; writes the workbook, JSON and Markdown reports and prints a verdict per
 * tenant. Live (collects first) or offline from a snapshot, with identical results.
 */
import type { Command } from 'commander';
import type { AuditResult } from '../../audit/audit';
import {
  DEFAULT_FAIL_ON,
  parseSeverity,
  SEVERITIES,
  severityAtOrAbove,
  type Severity,
} from '../../audit/types';
import { auditTenants, loadMembership } from '../../ops/audit';
import { loadTenantPolicies } from '../../policy/tenant-policy';
import { REPORT_FORMATS, type ReportFile, type ReportFormat } from '../../report';
import { ExitCode, InputError } from '../../util/errors';
import { nearest } from '../../util/suggest';
import { checkWritableDir } from '../../util/out-path';
import { addConnectionOptions, type ConnectionFlags } from '../connection';
import { makeContext, type GlobalOptions } from '../context';
import { run } from '../run';
import { obtainSnapshot } from '../snapshot-source';
import { addTenantFilesOption, tenantFiles, type TenantFileFlags } from '../tenant-option';

interface AuditFlags extends GlobalOptions, ConnectionFlags, TenantFileFlags {
  snapshot?: string;
  out?: string;
  format: string;
  failOn: string;
  membership?: string;
  role?: string;
  avs?: boolean;
  nsxSnapshot?: string;
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

Verdict: a tenant is "isolated" when it has no critical or high finding.
Exit code 1 when a finding at or above --fail-on exists (default high).
Rules: cross-tenant-access, shared-principal (critical); unowned-vm-access, propagating-grant,
excess-privilege, role-exceeds-cloudadmin (high); no-access-pattern, missing-grant,
mode-mismatch, role-drift, group-grant-unresolved (medium); with --nsx-snapshot also
nsx-cross-tenant-binding (critical), nsx-unsupported-role, nsx-role-exceeds-cloudadmin (high).`;

export function register(program: Command): void {
  addConnectionOptions(
    addTenantFilesOption(
      program.command('audit'),
      'tenants',
      'tenant policy files, or directories of *.yaml files',
    )
      .description(
        "audit tenant isolation: every tenant account's effective access, findings and reports",
      )

      .option('--snapshot <file>', 'audit a snapshot from `drperm collect` instead of connecting')
      .option('--out <dir>', 'report directory (default reports/<UTC time>/)')
      .option('--format <list>', 'comma-separated report formats: xlsx, json, md', 'xlsx,json,md')
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
        'also audit NSX roles and bindings from `drperm nsx collect` (adds nsx-* findings and an NSX sheet)',
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
        // Before collecting: a bad input file or a report directory that cannot be written
        // fails now, not after minutes of collection (the membership is read again below).
        await loadMembership(opts.membership);
        await checkWritableDir(opts.out ?? 'reports', '--out');
        const input = await obtainSnapshot(opts, ctx);
        const outcome = await auditTenants(
          input,
          {
            tenants,
            ...(opts.membership !== undefined ? { membershipFile: opts.membership } : {}),
            ...(opts.role !== undefined ? { roleFile: opts.role } : {}),
            avs: opts.avs === true,
            ...(opts.nsxSnapshot !== undefined ? { nsxSnapshotFile: opts.nsxSnapshot } : {}),
            failOn,
            ...(opts.out !== undefined ? { outDir: opts.out } : {}),
            formats,
          },
          ctx.emit,
        );
        ctx.out(renderSummary(outcome.result, outcome.files, failOn));
        return outcome.failing > 0 ? ExitCode.Findings : ExitCode.Ok;
      }),
    );
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
