/**
 * The NSX half of a fleet audit (README "Dedicated and managed-service models"): every NSX
 * Manager of the estate, collected live from the fleet file or read from the NSX snapshots
 * `collect --fleet` wrote, audited with the tenants of the vCenter it serves (all tenants
 * when it names none). Its findings join the vCenters' before verdicts are made; a manager
 * that cannot be read is reported with its reason, and its tenants are not isolated.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FleetNsxManagerStatus } from '../audit/fleet';
import type { FleetNsxReportSection, InputDigest } from '../audit/report-model';
import type { Finding } from '../audit/types';
import type { NsxData } from '../model/nsx';
import { sha256Hex } from '../model/snapshot-file';
import { NsxClient } from '../nsx/client';
import type { NsxConnectionSettings } from '../nsx/connection';
import { nsxSnapshotText, readNsxSnapshot } from '../nsx/snapshot-file';
import { loadNsxBaseline } from '../policy/nsx-baseline';
import type { LoadedTenantPolicy } from '../policy/tenant-policy';
import { InputError } from '../util/errors';
import type { Logger } from '../util/log';
import { mapLimit } from '../vsphere/semaphore';
import { auditNsxData } from './audit';
import { info, warn, type Emit } from './events';
import { collectNsxData } from './nsx';

/** One NSX Manager of the fleet with its resolved connection. */
export interface FleetNsxTarget {
  name: string;
  /** The fleet file's `vcenter:` of the manager. */
  vcenter?: string;
  settings: NsxConnectionSettings;
}

interface LoadedNsx {
  nsx: NsxData;
  sha256: string;
  file?: string;
}

/** Where a fleet audit gets one manager's data: collected live, or read from its snapshot. */
export interface FleetNsxSource {
  name: string;
  url: string;
  load: (emit: Emit) => Promise<LoadedNsx>;
}

/** The manager's data with the fleet's vCenter link in it (as `collect --fleet` records it). */
function linked(nsx: NsxData, vcenter: string | undefined): NsxData {
  return vcenter !== undefined ? { ...nsx, manager: { ...nsx.manager, vcenter } } : nsx;
}

export function liveNsxSources(targets: readonly FleetNsxTarget[], log: Logger): FleetNsxSource[] {
  return targets.map((t) => ({
    name: t.name,
    url: t.settings.url,
    load: async (emit) => {
      info(emit, `collecting from ${t.settings.url} ...`);
      const client = await NsxClient.connect({ ...t.settings, log });
      try {
        const nsx = linked(await collectNsxData(client, t.settings.username, emit), t.vcenter);
        return { nsx, sha256: sha256Hex(nsxSnapshotText(nsx)) };
      } finally {
        client.close();
      }
    },
  }));
}

/** NSX snapshot files, or directories of them; each manager is named after its file. */
export async function nsxSnapshotSources(paths: readonly string[]): Promise<FleetNsxSource[]> {
  const files: string[] = [];
  for (const p of paths) {
    if (!(await isDirectory(p))) {
      files.push(p);
      continue;
    }
    const names = (await readdir(p)).filter((n) => n.endsWith('.json')).sort();
    files.push(...names.map((n) => join(p, n)));
  }
  const seen = new Set<string>();
  return files.map((file) => {
    const name = basename(file).replace(/\.json$/i, '');
    if (seen.has(name)) {
      throw new InputError(`two NSX snapshots would both be NSX Manager "${name}"`, {
        hint: 'NSX snapshots of a fleet are named after their manager: give each a different file name',
      });
    }
    seen.add(name);
    return {
      name,
      url: '',
      load: async () => {
        const r = await readNsxSnapshot(file);
        return { nsx: r.nsx, sha256: r.sha256, file };
      },
    };
  });
}

/** `collect --fleet DIR` puts the NSX snapshots in DIR/nsx/: an offline audit of DIR reads them too. */
export async function nsxDirsBeside(snapshotPaths: readonly string[]): Promise<string[]> {
  const dirs: string[] = [];
  for (const p of snapshotPaths) {
    if ((await isDirectory(p)) && (await isDirectory(join(p, 'nsx')))) dirs.push(join(p, 'nsx'));
  }
  return dirs;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

export interface FleetNsxAudit {
  /** Every manager's findings, tagged with the vCenter it serves (or the estate's vCenters). */
  findings: Finding[];
  statuses: FleetNsxManagerStatus[];
  sections: FleetNsxReportSection[];
  inputs: InputDigest[];
  warnings: string[];
}

/**
 * Loads and audits every manager, at most `concurrency` at once. `byVcenter`: the tenants of
 * each audited vCenter. A manager naming a vCenter outside the audit is audited with every
 * tenant, with a warning.
 */
export async function auditFleetNsx(
  sources: readonly FleetNsxSource[],
  byVcenter: ReadonlyMap<string, readonly LoadedTenantPolicy[]>,
  concurrency: number,
  emit: (name: string) => Emit,
): Promise<FleetNsxAudit> {
  const out: FleetNsxAudit = { findings: [], statuses: [], sections: [], inputs: [], warnings: [] };
  if (sources.length === 0) return out;
  const policy = await loadNsxBaseline();
  const everyone = [...new Map([...byVcenter.values()].flat().map((t) => [t.policy.tenant, t]))];
  const names = [...byVcenter.keys()];
  const results = await mapLimit(sources, concurrency, async (s) => {
    const events = emit(s.name);
    try {
      return { s, loaded: await s.load(events) };
    } catch (err) {
      if (err instanceof InputError) throw err; // a bad file is the user's to fix
      const error = err instanceof Error ? err.message : String(err);
      warn(events, `not audited: ${error}`);
      return { s, error };
    }
  });
  for (const r of results) {
    if (r.error !== undefined || !r.loaded) {
      out.statuses.push({ name: r.s.name, error: r.error ?? 'not read' });
      out.sections.push({ name: r.s.name, status: 'failed', error: r.error ?? 'not read' });
      continue;
    }
    const { nsx, sha256, file } = r.loaded;
    let vcenter = nsx.manager.vcenter;
    if (vcenter !== undefined && !byVcenter.has(vcenter)) {
      out.warnings.push(
        `NSX Manager ${r.s.name} serves vCenter ${vcenter}, which is not audited; it was audited with every tenant`,
      );
      vcenter = undefined;
    }
    const tenants = vcenter !== undefined ? byVcenter.get(vcenter)! : everyone.map(([, t]) => t);
    const part = auditNsxData(
      nsx,
      file ?? `live:${r.s.name}`,
      tenants.map((t) => t.policy),
      policy,
    );
    const where = vcenter ?? names.join(', ');
    for (const f of part.findings) {
      out.findings.push({
        ...f,
        vcenter: where,
        message: `${f.message} (NSX Manager ${r.s.name})`,
        // The manager is evidence too: the same binding on two managers is two findings.
        details: [`NSX Manager ${r.s.name} (${nsx.manager.url})`, ...(f.details ?? [])],
      });
    }
    out.warnings.push(...part.warnings.map((w) => `NSX Manager ${r.s.name}: ${w}`));
    out.statuses.push({ name: r.s.name, ...(vcenter !== undefined ? { vcenter } : {}) });
    out.sections.push({
      name: r.s.name,
      ...(vcenter !== undefined ? { vcenter } : {}),
      status: 'audited',
      section: part.section,
    });
    out.inputs.push({ kind: 'nsx snapshot', path: file ?? `live:${r.s.name}`, sha256 });
  }
  return out;
}
