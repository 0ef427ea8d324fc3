/**
 * The NSX finding rules: pure rules over collected NSX data, the tenants' NSX principals and paths,
 * and the AVS baseline. `drperm nsx audit` and the main `drperm audit` both call auditNsx.
 *
 *  - nsx-unsupported-role: an LDAP user or group bound to a predefined role AVS does not support.
 *  - nsx-role-exceeds-cloudadmin: a custom role holding more than cloudadmin on some feature.
 *  - nsx-cross-tenant-binding: a tenant's principal bound on another tenant's path, or one
 *    principal named by two tenants.
 */
import { RULES, severityRank, type Finding, type RuleId } from '../types';
import type { NsxBinding, NsxData, NsxRole } from '../../model/nsx';
import type { NsxBaselinePolicy, ResolvedNsxBaseline } from '../../policy/nsx-baseline';
import { resolveNsxBaseline } from '../../policy/nsx-baseline';
import { excessOver } from '../../model/nsx-permissions';

/** The part of a tenant policy the NSX audit reads (TenantPolicy fits). */
export interface NsxTenant {
  tenant: string;
  nsx?: { principals: string[]; paths: string[] } | undefined;
}

/** Tenant of findings about principals or roles no tenant policy names. */
export const NSX_NO_TENANT = '(no tenant)';

export function auditNsx(
  nsx: NsxData,
  tenants: readonly NsxTenant[],
  baseline: NsxBaselinePolicy | ResolvedNsxBaseline,
): Finding[] {
  const resolved = 'kindOf' in baseline ? baseline : resolveNsxBaseline(nsx, baseline);
  const owners = principalOwners(tenants);
  const roleNames = new Map(nsx.roles.map((r) => [r.id, r.displayName]));
  const ctx: RuleContext = { nsx, tenants, resolved, owners, roleNames };
  return [...unsupportedRoles(ctx), ...rolesAboveCloudadmin(ctx), ...crossTenant(ctx)].sort(
    compareFindings,
  );
}

interface RuleContext {
  nsx: NsxData;
  tenants: readonly NsxTenant[];
  resolved: ResolvedNsxBaseline;
  /** Lower-cased principal name -> tenants naming it. */
  owners: Map<string, string[]>;
  roleNames: Map<string, string>;
}

/**
 * One line of evidence per binding, path and role. The workbook matches its rows to findings
 * by this exact text, so both sides must build it here.
 */
export function bindingEvidence(
  binding: Pick<NsxBinding, 'name' | 'type' | 'identitySourceType'>,
  path: string,
  roleId: string,
  roleName?: string,
): string {
  const source = binding.identitySourceType ? `, ${binding.identitySourceType}` : '';
  const name = roleName && roleName !== roleId ? ` (${roleName})` : '';
  return `binding "${binding.name}" (${binding.type}${source}) has role ${roleId}${name} on ${path}`;
}

/** LDAP users and groups; older managers do not say the identity source, so absent counts too. */
function isLdapPrincipal(b: NsxBinding): boolean {
  const remote = b.type === 'remote_user' || b.type === 'remote_group';
  return (
    remote && (b.identitySourceType === undefined || b.identitySourceType.toUpperCase() === 'LDAP')
  );
}

function principalOwners(tenants: readonly NsxTenant[]): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const t of tenants) {
    for (const p of new Set((t.nsx?.principals ?? []).map((x) => x.toLowerCase()))) {
      owners.set(p, [...(owners.get(p) ?? []), t.tenant]);
    }
  }
  return owners;
}

function tenantOf(ctx: RuleContext, principal: string): string {
  return ctx.owners.get(principal.toLowerCase())?.join(', ') ?? NSX_NO_TENANT;
}

function make(
  rule: RuleId,
  fields: Omit<Finding, 'rule' | 'severity' | 'evidence'> & { details: string[] },
): Finding {
  return { rule, severity: RULES[rule], evidence: [], ...fields };
}

function unsupportedRoles(ctx: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const b of ctx.nsx.bindings.filter(isLdapPrincipal)) {
    const byRole = new Map<string, string[]>();
    for (const rp of b.rolesForPaths) {
      for (const role of rp.roles) {
        if (ctx.resolved.kindOf(role) === 'unsupported') {
          byRole.set(role, [...(byRole.get(role) ?? []), rp.path]);
        }
      }
    }
    for (const [role, paths] of byRole) {
      const roleName = ctx.roleNames.get(role) ?? role;
      findings.push(
        make('nsx-unsupported-role', {
          tenant: tenantOf(ctx, b.name),
          principal: b.name,
          message: `LDAP ${b.type === 'remote_group' ? 'group' : 'user'} ${b.name} is bound to ${roleName} (${role}), a role Azure VMware Solution does not support with LDAP`,
          details: paths.map((p) => bindingEvidence(b, p, role, roleName)),
          remediation: `Bind ${b.name} to a supported role (${ctx.resolved.policy.supportedRoles.join(', ')}, cloudadmin) or to a custom role within cloudadmin, e.g. one built by \`drperm nsx role apply avs-network-admin\`.`,
        }),
      );
    }
  }
  return findings;
}

function rolesAboveCloudadmin(ctx: RuleContext): Finding[] {
  const featureNames = new Map(ctx.nsx.features.map((f) => [f.id, f.name || f.id]));
  const findings: Finding[] = [];
  for (const role of ctx.nsx.roles) {
    if (ctx.resolved.kindOf(role.id) !== 'custom') continue;
    const excess = excessOver(role.features, ctx.resolved.limits, featureNames);
    if (excess.length === 0) continue;
    const excessLines = excess.map(
      (e) => `feature ${e.featureName} (${e.feature}): ${e.held}, cloudadmin allows ${e.limit}`,
    );
    const boundBy = bindingsOfRole(ctx.nsx.bindings, role);
    const byTenant = new Map<string, string[]>();
    for (const { binding, path } of boundBy) {
      const tenant = tenantOf(ctx, binding.name);
      byTenant.set(tenant, [
        ...(byTenant.get(tenant) ?? []),
        bindingEvidence(binding, path, role.id, role.displayName),
      ]);
    }
    if (byTenant.size === 0) byTenant.set(NSX_NO_TENANT, []);
    for (const [tenant, evidence] of byTenant) {
      const principals = [
        ...new Set(
          boundBy
            .filter(({ binding }) => tenantOf(ctx, binding.name) === tenant)
            .map(({ binding }) => binding.name),
        ),
      ];
      findings.push(
        make('nsx-role-exceeds-cloudadmin', {
          tenant,
          principal: principals.join(', '),
          message: `custom role ${role.displayName} (${role.id}) holds more than cloudadmin on ${excess.length} feature${excess.length > 1 ? 's' : ''}${principals.length ? '' : ' (not bound to anyone)'}`,
          details: [...excessLines, ...evidence],
          remediation: `Lower these features of ${role.id} to at most cloudadmin's permission (AVS cannot assign or delete a role above cloudadmin); clone cloudadmin when creating custom roles.`,
        }),
      );
    }
  }
  return findings;
}

function bindingsOfRole(
  bindings: readonly NsxBinding[],
  role: NsxRole,
): { binding: NsxBinding; path: string }[] {
  return bindings.flatMap((binding) =>
    binding.rolesForPaths
      .filter((rp) => rp.roles.includes(role.id))
      .map((rp) => ({ binding, path: rp.path })),
  );
}

/** True when one path contains the other: a binding on either reaches objects of the other. */
export function pathsOverlap(a: string, b: string): boolean {
  const within = (inner: string, outer: string) =>
    outer === '/' || inner === outer || inner.startsWith(outer + '/');
  const na = normalizeNsxPath(a);
  const nb = normalizeNsxPath(b);
  return within(na, nb) || within(nb, na);
}

export function normalizeNsxPath(path: string): string {
  const parts = path.split('/').filter((p) => p.length > 0);
  return '/' + parts.join('/');
}

function crossTenant(ctx: RuleContext): Finding[] {
  const findings: Finding[] = [];

  // One principal named by two tenants: whatever it is bound to, both tenants share it.
  for (const t of ctx.tenants) {
    for (const principal of new Set(t.nsx?.principals ?? [])) {
      const others = (ctx.owners.get(principal.toLowerCase()) ?? []).filter((o) => o !== t.tenant);
      if (others.length === 0) continue;
      const bound = ctx.nsx.bindings.filter(
        (b) => b.name.toLowerCase() === principal.toLowerCase(),
      );
      findings.push(
        make('nsx-cross-tenant-binding', {
          tenant: t.tenant,
          principal,
          message: `NSX principal ${principal} of tenant ${t.tenant} is also named by tenant ${others.join(', ')}`,
          details: bound.flatMap((b) =>
            b.rolesForPaths.flatMap((rp) =>
              rp.roles.map((r) => bindingEvidence(b, rp.path, r, ctx.roleNames.get(r))),
            ),
          ),
          remediation: `Give each tenant its own NSX user or group; remove ${principal} from all but one tenant policy.`,
        }),
      );
    }
  }

  // A tenant's principal bound on (or above) a path another tenant owns.
  for (const b of ctx.nsx.bindings) {
    const ownerTenants = ctx.owners.get(b.name.toLowerCase()) ?? [];
    for (const owner of ownerTenants) {
      for (const rp of b.rolesForPaths) {
        const intruded = ctx.tenants.filter(
          (other) =>
            other.tenant !== owner &&
            (other.nsx?.paths ?? []).some((p) => pathsOverlap(rp.path, p)),
        );
        if (intruded.length === 0) continue;
        const foreignPaths = intruded.flatMap((o) =>
          (o.nsx?.paths ?? [])
            .filter((p) => pathsOverlap(rp.path, p))
            .map((p) => `${p} (tenant ${o.tenant})`),
        );
        findings.push(
          make('nsx-cross-tenant-binding', {
            tenant: owner,
            principal: b.name,
            message: `NSX principal ${b.name} of tenant ${owner} is bound on ${rp.path}, which reaches tenant ${intruded.map((o) => o.tenant).join(', ')}`,
            details: [
              ...rp.roles.map((r) => bindingEvidence(b, rp.path, r, ctx.roleNames.get(r))),
              `other tenants' paths reached: ${foreignPaths.join(', ')}`,
            ],
            remediation: `Bind ${b.name} only on ${owner}'s own NSX paths (${(ctx.tenants.find((t) => t.tenant === owner)?.nsx?.paths ?? []).join(', ') || 'none declared'}).`,
          }),
        );
      }
    }
  }
  return findings;
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    a.rule.localeCompare(b.rule) ||
    a.tenant.localeCompare(b.tenant) ||
    a.principal.localeCompare(b.principal) ||
    a.message.localeCompare(b.message)
  );
}
