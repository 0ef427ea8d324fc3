/**
 * Role and baseline policies: loading the YAML files, and resolving their privilege
 * entries against a server's privilege catalogue. Resolution is pure (data in, data
 * out); only the loaders read files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Privilege } from '../model/snapshot';
import { InputError } from '../util/errors';
import { nearest } from '../util/suggest';
import {
  BaselinePolicySchema,
  RolePolicySchema,
  type BaselinePolicy,
  type PrivilegeEntry,
  type RolePolicy,
} from './schemas';
import { fieldPath } from '../util/zod-errors';
import { loadYaml, locate, type YamlSource } from './yaml-file';

// ---------------------------------------------------------------------------
// Shipped files

/**
 * The package root (the folder holding package.json and policies/). Found by walking up
 * from this file, so it is the same from src/ (ts-jest), dist/ and an installed package.
 */
export function packageRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && existsSync(join(dir, 'policies'))) {
      try {
        const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
        if (name === 'drperm') return dir;
      } catch {
        // not our manifest: keep walking up
      }
    }
    if (dirname(dir) === dir) {
      throw new Error(`drperm package root not found above ${start}`);
    }
  }
}

export function defaultRolePolicyPath(): string {
  return join(packageRoot(), 'policies', 'roles', 'azure-site-recovery.yaml');
}

export function defaultBaselinePolicyPath(): string {
  return join(packageRoot(), 'policies', 'baselines', 'avs-cloudadmin.yaml');
}

// ---------------------------------------------------------------------------
// Loading

export interface LoadedRolePolicy {
  policy: RolePolicy;
  source: YamlSource;
}

export interface LoadedBaselinePolicy {
  policy: BaselinePolicy;
  source: YamlSource;
}

/** Reads and validates a role policy; errors name file, line and field. */
export async function loadRolePolicy(
  file: string = defaultRolePolicyPath(),
): Promise<LoadedRolePolicy> {
  const { value, source } = await loadYaml(file, RolePolicySchema, { what: 'role policy' });
  checkDuplicates(value.privileges, source);
  return { policy: value, source };
}

/** Reads and validates a baseline policy (e.g. the AVS CloudAdmin list). */
export async function loadBaselinePolicy(
  file: string = defaultBaselinePolicyPath(),
): Promise<LoadedBaselinePolicy> {
  const { value, source } = await loadYaml(file, BaselinePolicySchema, { what: 'baseline policy' });
  checkDuplicates(value.privileges, source);
  return { policy: value, source };
}

/** The same ID twice is almost always a copy-paste slip that hides a missing privilege. */
function checkDuplicates(entries: readonly PrivilegeEntry[], source: YamlSource): void {
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const first = seen.get(entry.id);
    if (first !== undefined) {
      throw locate(
        source,
        ['privileges', index, 'id'],
        `"${entry.id}" is listed twice (first as privileges[${first}])`,
      );
    }
    seen.set(entry.id, index);
  });
}

// ---------------------------------------------------------------------------
// Resolution against a catalogue

/** A concrete privilege of a resolved policy, with the entry that put it there. */
export interface ResolvedPrivilege {
  id: string;
  label: string;
  purpose?: string;
  /** The wildcard that produced it, when it was not listed by ID. */
  pattern?: string;
}

export interface ResolvedRole {
  /** Concrete privilege IDs, sorted and de-duplicated (implicit System.* included when listed). */
  privileges: string[];
  /** Each wildcard and the IDs the catalogue gave it. */
  expanded: { pattern: string; ids: string[] }[];
  /** Version-dependent entries this server does not define. */
  skipped: { id: string; reason: string }[];
  /** Label and purpose per privilege, for reports (explicit entries win over wildcards). */
  details: ResolvedPrivilege[];
}

export function isWildcard(id: string): boolean {
  return id.endsWith('.*');
}

/** `VirtualMachine.Config.*` matches every ID below `VirtualMachine.Config.`. */
export function matchesWildcard(pattern: string, id: string): boolean {
  return id.startsWith(pattern.slice(0, -1));
}

export interface ResolveOptions {
  /**
   * What to do with an ID the catalogue lacks that is not marked versionDependent:
   * `error` (default) for a role drperm will create; `skip` (with a note) for a baseline,
   * which describes another server's role and is only compared, never sent to vCenter.
   */
  unknown?: 'error' | 'skip';
}

/**
 * Turns a policy's entries into concrete privilege IDs of one server. Wildcards expand
 * from the catalogue (never a fixed list: the set differs between vSphere versions). An
 * ID the catalogue lacks is an InputError naming file, line, field and the nearest
 * known IDs, unless the entry is marked versionDependent: then it is skipped with a note.
 */
export function resolveRolePrivileges(
  policy: Pick<RolePolicy, 'privileges'>,
  catalogue: readonly Privilege[],
  source?: YamlSource,
  options: ResolveOptions = {},
): ResolvedRole {
  const known = new Set(catalogue.map((p) => p.id));
  const catalogueLabel = new Map(
    catalogue.filter((p) => p.label).map((p) => [p.id, p.label!] as const),
  );
  const details = new Map<string, ResolvedPrivilege>();
  const expanded: ResolvedRole['expanded'] = [];
  const skipped: ResolvedRole['skipped'] = [];

  /** The entry names nothing this server defines: skip it with a note, or refuse. */
  const notDefined = (
    entry: PrivilegeEntry,
    index: number,
    problem: string,
    candidates: Iterable<string>,
  ) => {
    if (entry.versionDependent) {
      skipped.push({ id: entry.id, reason: `${problem} (version-dependent)` });
      return;
    }
    const near = nearest(entry.id, candidates, 3);
    if (options.unknown === 'skip') {
      const hint = near.length > 0 ? ` (nearest: ${near.join(', ')})` : '';
      skipped.push({ id: entry.id, reason: `${problem}${hint}` });
      return;
    }
    throw unknownPrivilege(entry.id, problem, near, ['privileges', index, 'id'], source);
  };

  policy.privileges.forEach((entry, index) => {
    if (isWildcard(entry.id)) {
      const ids = [...known].filter((id) => matchesWildcard(entry.id, id)).sort();
      if (ids.length === 0) {
        const groups = new Set(catalogue.map((p) => `${p.group}.*`));
        notDefined(entry, index, 'matches no privilege of this server', groups);
        return;
      }
      expanded.push({ pattern: entry.id, ids });
      for (const id of ids) {
        if (details.has(id)) continue;
        details.set(id, {
          id,
          label: catalogueLabel.get(id) ?? `${entry.label} (${id})`,
          ...(entry.purpose !== undefined ? { purpose: entry.purpose } : {}),
          pattern: entry.id,
        });
      }
      return;
    }
    if (!known.has(entry.id)) {
      notDefined(entry, index, 'is not defined by this server', known);
      return;
    }
    // An explicit entry describes its privilege better than a wildcard does.
    details.set(entry.id, {
      id: entry.id,
      label: entry.label,
      ...(entry.purpose !== undefined ? { purpose: entry.purpose } : {}),
    });
  });

  const privileges = [...details.keys()].sort();
  return {
    privileges,
    expanded,
    skipped,
    details: privileges.map((id) => details.get(id)!),
  };
}

function unknownPrivilege(
  id: string,
  problem: string,
  near: readonly string[],
  path: PropertyKey[],
  source?: YamlSource,
): InputError {
  const message =
    `"${id}" ${problem}` +
    (near.length > 0 ? `; nearest: ${near.join(', ')}` : '') +
    ' (mark the entry versionDependent: true if it exists only in some vSphere versions)';
  if (source) return locate(source, path, message);
  return new InputError(`${fieldPath(path)}: ${message}`, {
    location: { field: fieldPath(path) },
  });
}

/**
 * A baseline is Microsoft's list for another server (AVS): IDs this catalogue does not
 * define are skipped with a note instead of failing. (The simulator's catalogue, for
 * one, has no ContentLibrary, tagging, storage-profile or vService privileges.)
 */
export function resolveBaselinePrivileges(
  policy: Pick<BaselinePolicy, 'privileges'>,
  catalogue: readonly Privilege[],
  source?: YamlSource,
): ResolvedRole {
  return resolveRolePrivileges(policy, catalogue, source, { unknown: 'skip' });
}

/**
 * A stand-in catalogue for offline work without a server or snapshot: every concrete ID
 * the given policies name. Wildcards then expand to the IDs those files list (e.g. the
 * baseline's VirtualMachine.Config.* entries), which the caller must say.
 */
export function catalogueFromPolicies(...policies: Pick<RolePolicy, 'privileges'>[]): Privilege[] {
  const byId = new Map<string, Privilege>();
  for (const policy of policies) {
    for (const entry of policy.privileges) {
      if (isWildcard(entry.id) || byId.has(entry.id)) continue;
      const dot = entry.id.lastIndexOf('.');
      byId.set(entry.id, {
        id: entry.id,
        group: entry.id.slice(0, dot),
        name: entry.id.slice(dot + 1),
        onParent: false,
        label: entry.label,
      });
    }
  }
  return [...byId.values()];
}
