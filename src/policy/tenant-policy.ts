/**
 * Loads tenant policy files (one YAML file per tenant). Arguments may be files or
 * directories (their *.yaml / *.yml files, sorted by name). Errors name the file, the
 * line and the field, and a tenant name defined twice is refused: the tenant name
 * keys backups and reports, so two files for one tenant would overwrite each other.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../util/errors';
import { escapeControl, firstControl } from '../util/escape';
import { normalizePrincipal } from '../model/principal';
import { TenantPolicySchema, type TenantPolicy } from './schemas';
import { lineOf, locate, readYamlSource, validateYaml, type YamlSource } from './yaml-file';

export interface LoadedTenantPolicy {
  policy: TenantPolicy;
  file: string;
  source: YamlSource;
}

const POLICY_FILE = /\.ya?ml$/i;

/** Expands directories into their policy files; keeps the order given, each file once. */
export async function expandPolicyPaths(pathsOrDirs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (f: string) => {
    const key = resolve(f);
    if (!seen.has(key)) {
      seen.add(key);
      files.push(f);
    }
  };
  for (const p of pathsOrDirs) {
    let isDir: boolean;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch (err) {
      throw new InputError(`cannot read ${p}: ${(err as Error).message}`, {
        cause: err,
        location: { file: p },
      });
    }
    if (!isDir) {
      add(p);
      continue;
    }
    const names = (await readdir(p)).filter((n) => POLICY_FILE.test(n)).sort();
    if (names.length === 0) {
      throw new InputError(`${p}: no tenant files (*.yaml, *.yml) in this directory`, {
        location: { file: p },
      });
    }
    for (const n of names) add(join(p, n));
  }
  return files;
}

/**
 * Tenant files beside the ones named that were left out: planning a subset cannot see
 * conflicts with the others (a VM claimed twice, a shared account). Directories given whole
 * leave nothing out. Returns one warning per directory concerned, saying how to include them.
 */
export async function omittedTenantFiles(pathsOrDirs: readonly string[]): Promise<string[]> {
  const files = await expandPolicyPaths(pathsOrDirs);
  const given = new Set(files.map((f) => resolve(f)));
  const dirs = new Map<string, string>();
  for (const p of pathsOrDirs) {
    const isDir = await stat(p)
      .then((s) => s.isDirectory())
      .catch(() => false);
    if (!isDir) dirs.set(resolve(dirname(p)), dirname(p));
  }
  const warnings: string[] = [];
  for (const [abs, shown] of dirs) {
    const names = await readdir(abs).catch(() => [] as string[]);
    const left = names.filter((n) => POLICY_FILE.test(n) && !given.has(join(abs, n))).sort();
    if (left.length === 0) continue;
    warnings.push(
      `${left.length} other tenant file(s) in ${shown}/ were not given (${left.slice(0, 5).join(', ')}${left.length > 5 ? ', ...' : ''}): conflicts with them (a VM claimed twice, a shared account) are not checked; pass the directory to include every tenant: --tenant ${shown}/`,
    );
  }
  return warnings;
}

/** Parses and validates one tenant file. */
export async function loadTenantPolicy(file: string): Promise<LoadedTenantPolicy> {
  const source = await readYamlSource(file, { what: 'tenant file' });
  const policy = validateYaml(source, TenantPolicySchema);
  checkPrincipalForm(source, policy);
  return { policy, file, source };
}

export async function loadTenantPolicies(
  pathsOrDirs: readonly string[],
): Promise<LoadedTenantPolicy[]> {
  if (pathsOrDirs.length === 0) {
    throw new InputError('no tenant file given', {
      hint: 'name tenant files, or directories of *.yaml files, with --tenant (or --tenants)',
    });
  }
  const files = await expandPolicyPaths(pathsOrDirs);
  const loaded: LoadedTenantPolicy[] = [];
  for (const f of files) loaded.push(await loadTenantPolicy(f));
  refuseDuplicateTenants(loaded);
  return loaded;
}

/** Tenant names are compared case-insensitively: they name backup files. */
function refuseDuplicateTenants(loaded: readonly LoadedTenantPolicy[]): void {
  const byName = new Map<string, LoadedTenantPolicy>();
  for (const t of loaded) {
    const key = t.policy.tenant.toLowerCase();
    const first = byName.get(key);
    if (first) {
      const firstLine = lineOf(first.source, ['tenant']);
      throw locate(
        t.source,
        ['tenant'],
        `tenant "${t.policy.tenant}" is already defined in ${first.file}${firstLine ? `:${firstLine}` : ''}; one file per tenant`,
      );
    }
    byName.set(key, t);
  }
}

/**
 * vCenter reports principals as `DOMAIN\name`; a UPN (`name@domain`) is accepted and
 * rewritten. A bare name cannot be matched against the server's permissions, so it is
 * refused here rather than showing up as "add" on every run.
 */
function checkPrincipalForm(source: YamlSource, policy: TenantPolicy): void {
  const control = firstControl(policy.account.principal);
  if (control) {
    throw locate(
      source,
      ['account', 'principal'],
      `"${escapeControl(policy.account.principal)}" holds a control character (${control.escaped} at position ${control.index + 1}); vCenter principals are printable names such as VSPHERE.LOCAL\\asr-${policy.tenant}`,
    );
  }
  (policy.nsx?.principals ?? []).forEach((p, i) => {
    const c = firstControl(p);
    if (c)
      throw locate(
        source,
        ['nsx', 'principals', i],
        `"${escapeControl(p)}" holds a control character (${c.escaped} at position ${c.index + 1})`,
      );
  });
  const normalized = normalizePrincipal(policy.account.principal);
  if (!/^[^\\]+\\[^\\]+$/.test(normalized)) {
    throw locate(
      source,
      ['account', 'principal'],
      `"${policy.account.principal}" is not a vCenter principal; write it as DOMAIN\\name (e.g. VSPHERE.LOCAL\\asr-${policy.tenant})`,
    );
  }
  policy.account.principal = normalized;
}
