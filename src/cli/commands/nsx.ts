/**
 * `drperm nsx ...`: NSX Manager RBAC on Azure VMware Solution (issue 5).
 *   nsx collect                 features, roles and bindings into an NSX snapshot file
 *   nsx audit                   nsx-unsupported-role, nsx-role-exceeds-cloudadmin, nsx-cross-tenant-binding
 *   nsx role plan|apply NAME    seed 003's AVS Network Admin / AVS Security Admin custom roles
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { SEVERITIES, severityRank, type Severity } from '../../audit/types';
import type { NsxData } from '../../model/nsx';
import { sha256Hex } from '../../model/snapshot-file';
import { auditNsx } from '../../audit/rules/nsx';
import { loadNsxBaseline, resolveNsxBaseline } from '../../policy/nsx-baseline';
import type { NsxClient } from '../../nsx/client';
import { AAA, collectNsx, roleFromWire, type WireRole } from '../../nsx/collect';
import {
  addNsxConnectionOptions,
  withNsxClient,
  type NsxConnectionFlags,
} from '../../nsx/connection';
import {
  buildAvsCustomRole,
  describeNsxRoleChange,
  diffNsxRole,
  excessOverCloudadmin,
  recipeFor,
  roleWithFeaturesBody,
} from '../../nsx/custom-roles';
import { describeBaseline, formatNsxAudit, severityCounts } from '../../nsx/format';
import { nsxSnapshotText, readNsxSnapshot } from '../../nsx/snapshot-file';
import { nsxWorkbookRows } from '../../report/nsx-sheet';
import { loadTenantPolicies } from '../../policy/tenant-policy';
import { ExitCode, InputError, ServerError } from '../../util/errors';
import { confirm } from '../confirm';
import { makeContext, printJson, type CommandContext, type GlobalOptions } from '../context';
import { addTenantFilesOption, tenantFiles, type TenantFileFlags } from '../tenant-option';

interface CommonFlags extends GlobalOptions, NsxConnectionFlags {
  json?: boolean;
  baseline?: string;
}

export function register(program: Command): void {
  const nsx = program
    .command('nsx')
    .description(
      'NSX Manager roles and bindings on Azure VMware Solution: collect, audit, AVS custom roles',
    );
  registerCollect(nsx);
  registerAudit(nsx);
  registerRole(nsx);
}

function registerCollect(nsx: Command): void {
  addNsxConnectionOptions(
    nsx
      .command('collect')
      .description('read NSX features, roles and role bindings into an NSX snapshot file')
      .option(
        '--out <file>',
        'NSX snapshot file (default reports/nsx-snapshot-<manager>-<UTC time>.json)',
      )
      .option('--json', 'print the result as JSON on stdout'),
  )
    .addHelpText(
      'after',
      `
The NSX snapshot is a file of its own (format drperm-nsx-snapshot): NSX Manager is a different
server with different credentials. \`drperm nsx audit --snapshot FILE\` reads it.

Example:
  $ export DRPERM_NSX_URL=https://nsx.example.net DRPERM_NSX_USERNAME=cloudadmin
  $ pass show nsx | drperm nsx collect --password-stdin --thumbprint 3F:9A:...:C2`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<CommonFlags & { out?: string }>();
      const ctx = makeContext(opts);
      const data = await withNsxClient(opts, ctx.log, (client, s) =>
        collectNsx(client, s.username, ctx.log),
      );
      const path = opts.out ?? defaultNsxSnapshotPath(data.manager.url, new Date(data.collectedAt));
      const text = nsxSnapshotText(data);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text, { encoding: 'utf8', mode: 0o640 });
      const result = {
        path,
        sha256: sha256Hex(text),
        manager: data.manager,
        counts: {
          features: data.features.length,
          roles: data.roles.length,
          bindings: data.bindings.length,
        },
        warnings: data.warnings,
      };
      if (opts.json) return printJson(ctx, result);
      ctx.out(
        `wrote ${path}: ${result.counts.features} features, ${result.counts.roles} roles, ${result.counts.bindings} bindings\nSHA-256 ${result.sha256}`,
      );
    });
}

export function defaultNsxSnapshotPath(url: string, at: Date): string {
  const host = new URL(url).host.replace(/[^A-Za-z0-9._-]/g, '_');
  const time = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `reports/nsx-snapshot-${host}-${time}.json`;
}

function parseSeverity(value: string): Severity {
  if ((SEVERITIES as readonly string[]).includes(value)) return value as Severity;
  throw new InputError(`--fail-on must be one of ${SEVERITIES.join(', ')}, got "${value}"`);
}

function registerAudit(nsx: Command): void {
  addNsxConnectionOptions(
    addTenantFilesOption(
      nsx
        .command('audit')
        .description(
          "check NSX roles and bindings against AVS's supported roles, cloudadmin's limits and tenant isolation",
        ),
      'tenants',
      'tenant policy files or directories (their nsx: principals and paths)',
    )
      .option(
        '--snapshot <file>',
        'audit an NSX snapshot (from `drperm nsx collect`) instead of a live manager',
      )
      .option(
        '--baseline <file>',
        'AVS NSX baseline (default: the shipped policies/baselines/avs-nsx-cloudadmin.yaml)',
      )
      .option(
        '--fail-on <severity>',
        `exit 1 on findings of this severity or above (${SEVERITIES.join(', ')})`,
        'low',
      )
      .option('--json', 'print the result as JSON on stdout'),
  )
    .addHelpText(
      'after',
      `
Rules:
  nsx-unsupported-role         high      an LDAP user or group bound to a role AVS does not support
  nsx-role-exceeds-cloudadmin  high      a custom role holding more than cloudadmin on some feature
  nsx-cross-tenant-binding     critical  a tenant's principal bound on another tenant's path,
                                         or one principal named by two tenants`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<
        CommonFlags & TenantFileFlags & { snapshot?: string; failOn: string }
      >();
      const ctx = makeContext(opts);
      const failOn = parseSeverity(opts.failOn);
      const tenants = (await loadTenantPolicies(tenantFiles(opts))).map((t) => t.policy);
      const policy = await loadNsxBaseline(opts.baseline);
      const data = opts.snapshot
        ? (await readNsxSnapshot(opts.snapshot)).nsx
        : await withNsxClient(opts, ctx.log, (client, s) =>
            collectNsx(client, s.username, ctx.log),
          );
      const baseline = resolveNsxBaseline(data, policy);
      const findings = auditNsx(data, tenants, baseline);
      const failing = findings.some((f) => severityRank(f.severity) >= severityRank(failOn));
      if (failing) process.exitCode = ExitCode.Findings;
      if (opts.json) {
        return printJson(ctx, {
          manager: data.manager,
          collectedAt: data.collectedAt,
          source: opts.snapshot ? 'snapshot' : 'live',
          ...(opts.snapshot ? { snapshotFile: opts.snapshot } : {}),
          tenants: tenants.map((t) => t.tenant),
          baseline: {
            limitSource: baseline.limitSource,
            ...(baseline.cloudadmin ? { cloudadminRole: baseline.cloudadmin.id } : {}),
            unmatchedRows: baseline.unmatchedRows,
            notes: baseline.notes,
          },
          failOn,
          counts: severityCounts(findings),
          findings,
          bindings: nsxWorkbookRows(data, findings, { baseline, tenants }),
        });
      }
      for (const line of formatNsxAudit(
        data,
        tenants.map((t) => t.tenant),
        baseline,
        findings,
      ))
        ctx.out(line);
    });
}

function registerRole(nsx: Command): void {
  const role = nsx
    .command('role')
    .description("seed 003's AVS custom roles: avs-network-admin, avs-security-admin");
  const describe = `
Builds the role by cloning the manager's Network Admin or Security Admin role and lowering the
features seed 003 lists, refuses it if it would hold more than cloudadmin on any feature, and
compares it with the role on the manager. Nothing is sent when the role is already as built.`;

  addNsxConnectionOptions(
    role
      .command('plan <name>')
      .description('show what `nsx role apply` would change (exit 1 when something would)')
      .option('--baseline <file>', 'AVS NSX baseline with the role recipes')
      .option('--json', 'print the plan as JSON on stdout'),
  )
    .addHelpText('after', describe)
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<CommonFlags>();
      const ctx = makeContext(opts);
      await runRole(ctx, opts, name, 'plan');
    });

  addNsxConnectionOptions(
    role
      .command('apply <name>')
      .description('create or update the role on NSX Manager (PUT), after showing the difference')
      .option('--baseline <file>', 'AVS NSX baseline with the role recipes')
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--json', 'print the result as JSON on stdout'),
  )
    .addHelpText('after', describe)
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<CommonFlags & { yes?: boolean }>();
      const ctx = makeContext(opts);
      await runRole(ctx, opts, name, 'apply');
    });
}

async function runRole(
  ctx: CommandContext,
  opts: CommonFlags & { yes?: boolean },
  name: string,
  mode: 'plan' | 'apply',
): Promise<void> {
  const policy = await loadNsxBaseline(opts.baseline);
  recipeFor(policy, name); // a typo fails before any password prompt or connection
  await withNsxClient(opts, ctx.log, async (client, s) => {
    const data = await collectNsx(client, s.username, ctx.log);
    const baseline = resolveNsxBaseline(data, policy);
    const built = buildAvsCustomRole(name, data, baseline);
    for (const row of built.unmatchedRows) {
      ctx.log.warn(
        `recipe row "${row.category}: ${row.feature}" matches no feature on this manager; not lowered`,
      );
    }
    const excess = excessOverCloudadmin(built.role, data, baseline);
    if (excess.length > 0) {
      throw new InputError(
        `refusing to ${mode === 'apply' ? 'send' : 'plan'} NSX role ${built.role.id}: it would hold more than cloudadmin on ${excess
          .map((e) => `${e.featureName} (${e.feature}: ${e.held}, cloudadmin ${e.limit})`)
          .join(', ')}`,
        {
          hint: `${describeBaseline(baseline)}. AVS refuses such roles; lower these features in the recipe (--baseline) or ask Microsoft about cloudadmin's permissions`,
        },
      );
    }
    const existing = data.roles.find((r) => r.id === built.role.id);
    const featureNames = new Map(data.features.map((f) => [f.id, f.name || f.id]));
    const change = diffNsxRole(existing, built.role, featureNames);
    const lines = describeNsxRoleChange(change, built);

    if (mode === 'plan' || change.action === 'none') {
      if (change.action !== 'none' && mode === 'plan') process.exitCode = ExitCode.Findings;
      if (opts.json) return printJson(ctx, { mode, applied: false, change, role: built.role });
      for (const l of lines) ctx.out(l);
      return;
    }

    // The difference is shown before the question, on stdout unless stdout carries JSON.
    for (const l of lines) (opts.json ? ctx.log.info : ctx.out)(l);
    const ok = await confirm(
      `${change.action === 'create' ? 'Create' : 'Update'} NSX role ${built.role.id} on ${data.manager.url}?`,
      {
        ...(opts.yes ? { yes: true } : {}),
        ctx,
      },
    );
    if (!ok) {
      ctx.log.info('nothing changed');
      process.exitCode = ExitCode.Findings;
      return;
    }
    await putAndVerify(
      client,
      built.role.id,
      roleWithFeaturesBody(built.role, existing),
      built,
      featureNames,
      data,
    );
    if (opts.json) return printJson(ctx, { mode, applied: true, change, role: built.role });
    ctx.out(
      `${change.action === 'create' ? 'created' : 'updated'} NSX role ${built.role.id} "${built.role.displayName}"`,
    );
  });
}

/** PUT, then read the role back: the manager ignores some fields silently (internal features). */
async function putAndVerify(
  client: NsxClient,
  roleId: string,
  body: Record<string, unknown>,
  built: ReturnType<typeof buildAvsCustomRole>,
  featureNames: Map<string, string>,
  data: NsxData,
): Promise<void> {
  const path = `${AAA}/roles/${encodeURIComponent(roleId)}`;
  await client.put(path, body);
  const internal = new Set(data.features.filter((f) => f.internal).map((f) => f.id));
  const after = roleFromWire(await client.get<WireRole>(path), internal);
  const left = diffNsxRole(after, built.role, featureNames);
  if (left.action !== 'none') {
    throw new ServerError(
      `NSX Manager accepted role ${roleId} but reads it back differently: ${describeNsxRoleChange(left, built).join('; ')}`,
    );
  }
}
