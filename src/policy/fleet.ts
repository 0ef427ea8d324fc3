/**
 * The fleet file (`drperm.yaml`, README "Dedicated and managed-service models"): the
 * vCenters and NSX Managers of a partner's estate, and which tenant lives on which vCenter.
 * Passwords never go in the file: each server names the environment variable that holds its
 * password, or drperm asks once per server on a terminal.
 */
import { z } from 'zod';
import { InputError } from '../util/errors';
import { nearest } from '../util/suggest';
import { FleetName } from './schemas';
import type { LoadedTenantPolicy } from './tenant-policy';
import { locate, readYamlSource, validateYaml, type YamlSource } from './yaml-file';

export const DEFAULT_FLEET_FILE = 'drperm.yaml';
/** How many servers are collected at once unless defaults.concurrency says otherwise. */
export const DEFAULT_FLEET_CONCURRENCY = 4;

const EnvName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name, e.g. DRPERM_VC01_PASSWORD');

/** How to reach and trust one server; fields left out come from `defaults`. */
const ServerFields = {
  name: FleetName,
  /** https URL or host name (vCenter: /sdk is added when no path is given). */
  url: z.string().min(1),
  username: z.string().min(1).optional(),
  /** Name of the environment variable holding the password (never the password itself). */
  passwordEnv: EnvName.optional(),
  /** SHA-256 or SHA-1 certificate thumbprint, as govc prints it. */
  thumbprint: z.string().min(1).optional(),
  /** PEM file with the CA that signed the server certificate. */
  caFile: z.string().min(1).optional(),
  /** Do not verify the certificate (not recommended). */
  insecure: z.boolean().optional(),
};

export const FleetVcenterSchema = z.object(ServerFields).strict();
export type FleetVcenter = z.infer<typeof FleetVcenterSchema>;

export const FleetNsxManagerSchema = z
  .object({
    ...ServerFields,
    /** The vCenter whose private cloud this NSX Manager serves (AVS: one per private cloud). */
    vcenter: FleetName.optional(),
  })
  .strict();
export type FleetNsxManager = z.infer<typeof FleetNsxManagerSchema>;

export const FleetSchema = z
  .object({
    vcenters: z.array(FleetVcenterSchema).min(1, 'name at least one vCenter'),
    nsxManagers: z.array(FleetNsxManagerSchema).default([]),
    defaults: z
      .object({
        username: z.string().min(1).optional(),
        insecure: z.boolean().optional(),
        caFile: z.string().min(1).optional(),
        /** Servers collected at once (default 4). */
        concurrency: z.number().int().min(1).max(32).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type Fleet = z.infer<typeof FleetSchema>;

export interface LoadedFleet {
  fleet: Fleet;
  file: string;
  source: YamlSource;
}

/** Connection settings of one server after applying `defaults` (the password is resolved later). */
export interface FleetServer {
  name: string;
  url: string;
  username?: string;
  passwordEnv?: string;
  thumbprint?: string;
  caFile?: string;
  insecure?: boolean;
}

export async function loadFleet(file: string): Promise<LoadedFleet> {
  const source = await readYamlSource(file);
  refusePasswords(source);
  const fleet = validateYaml(source, FleetSchema);
  checkNames(source, fleet);
  return { fleet, file, source };
}

/** A password in the file would sit in backups and repositories: name an environment variable instead. */
function refusePasswords(source: YamlSource): void {
  const raw = source.doc.toJS() as Record<string, unknown> | null;
  for (const list of ['vcenters', 'nsxManagers'] as const) {
    const items = raw?.[list];
    if (!Array.isArray(items)) continue;
    items.forEach((item: unknown, i) => {
      if (item !== null && typeof item === 'object' && 'password' in item) {
        throw locate(
          source,
          [list, i, 'password'],
          'passwords never go in the fleet file; name the environment variable that holds it with passwordEnv',
        );
      }
    });
  }
}

function checkNames(source: YamlSource, fleet: Fleet): void {
  for (const list of ['vcenters', 'nsxManagers'] as const) {
    const seen = new Map<string, number>();
    fleet[list].forEach((s, i) => {
      const key = s.name.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        throw locate(
          source,
          [list, i, 'name'],
          `"${s.name}" is already the name of ${list}[${first}]; names are unique`,
        );
      }
      seen.set(key, i);
    });
  }
  const names = fleet.vcenters.map((v) => v.name);
  fleet.nsxManagers.forEach((m, i) => {
    if (m.vcenter !== undefined && !names.includes(m.vcenter)) {
      throw locate(source, ['nsxManagers', i, 'vcenter'], unknownVcenter(m.vcenter, names));
    }
  });
}

function unknownVcenter(name: string, names: readonly string[]): string {
  const [near] = nearest(name, names, 1);
  return `no vCenter "${name}" in the fleet file${near ? `; did you mean "${near}"?` : ''} (vCenters: ${names.join(', ')})`;
}

export function fleetServer(fleet: Fleet, server: FleetVcenter | FleetNsxManager): FleetServer {
  const d = fleet.defaults;
  const username = server.username ?? d.username;
  const caFile = server.caFile ?? d.caFile;
  const insecure = server.insecure ?? d.insecure;
  return {
    name: server.name,
    url: server.url,
    ...(username !== undefined ? { username } : {}),
    ...(server.passwordEnv !== undefined ? { passwordEnv: server.passwordEnv } : {}),
    ...(server.thumbprint !== undefined ? { thumbprint: server.thumbprint } : {}),
    ...(caFile !== undefined ? { caFile } : {}),
    ...(insecure !== undefined ? { insecure } : {}),
  };
}

export function fleetConcurrency(fleet: Fleet): number {
  return fleet.defaults.concurrency ?? DEFAULT_FLEET_CONCURRENCY;
}

/** The vCenter names a tenant file applies to, as written (a single name becomes a list). */
export function tenantVcenterNames(policy: LoadedTenantPolicy['policy']): string[] | undefined {
  const v = policy.vcenter;
  if (v === undefined) return undefined;
  return typeof v === 'string' ? [v] : [...new Set(v)];
}

/**
 * Which tenants each vCenter carries: a tenant's `vcenter:` names, or the only vCenter when
 * the tenant names none. Without `vcenter:` in a fleet of several, the tenant is refused:
 * guessing would audit or change the wrong server.
 */
export function assignTenants(
  vcenterNames: readonly string[],
  tenants: readonly LoadedTenantPolicy[],
): Map<string, LoadedTenantPolicy[]> {
  const byVcenter = new Map<string, LoadedTenantPolicy[]>(vcenterNames.map((n) => [n, []]));
  for (const t of tenants) {
    const named = tenantVcenterNames(t.policy);
    if (named === undefined) {
      if (vcenterNames.length !== 1) {
        throw locate(
          t.source,
          ['tenant'],
          `tenant "${t.policy.tenant}" names no vCenter, and the fleet has ${vcenterNames.length} (${vcenterNames.join(', ')})`,
        );
      }
      byVcenter.get(vcenterNames[0]!)!.push(t);
      continue;
    }
    named.forEach((name, i) => {
      const list = byVcenter.get(name);
      if (!list) {
        const path = typeof t.policy.vcenter === 'string' ? ['vcenter'] : ['vcenter', i];
        throw locate(t.source, path, unknownVcenter(name, vcenterNames));
      }
      list.push(t);
    });
  }
  return byVcenter;
}

/** `--vcenter NAME` on fleet commands: one of the fleet's vCenters, or a usage error with the nearest. */
export function pickVcenters(fleet: Fleet, names: readonly string[] | undefined): FleetVcenter[] {
  if (names === undefined || names.length === 0) return fleet.vcenters;
  const all = fleet.vcenters.map((v) => v.name);
  return names.map((n) => {
    const found = fleet.vcenters.find((v) => v.name === n);
    if (!found) throw new InputError(`--vcenter: ${unknownVcenter(n, all)}`);
    return found;
  });
}
