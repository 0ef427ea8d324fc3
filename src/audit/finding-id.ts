/**
 * Stable finding ids: a fingerprint of what the finding is about (rule, tenant, principal,
 * object, and the permissions or other evidence proving it), never of when it was found or
 * where it sorts. Two audits of one state give every finding the same id; a changed state
 * gives a new id only to the findings whose evidence changed. An auditor's Status, Owner and
 * Comment follow a finding from one review to the next by this id (audit --previous).
 *
 * Fleet findings (report format 3) also fingerprint their vCenter, as named in the fleet file
 * (or the snapshot file): the same finding on two vCenters has two ids. A single-vCenter
 * finding has no vCenter, so its id is the one report format 2 gave it.
 */
import { createHash } from 'node:crypto';
import type { Finding, PermissionEvidence, TrackedFinding } from './types';

/** "F-" and 12 hex digits (48 bits): collision-free in practice for a million findings. */
const ID_HEX_DIGITS = 12;

function permissionKey(p: PermissionEvidence): string {
  return JSON.stringify([p.entity.moref, p.principal, p.group, p.roleId, p.propagate]);
}

/**
 * The fingerprinted fields. Evidence is order-free (sorted). Details (NSX bindings,
 * privilege lists) are evidence too, except shared-principal's, which name policy files
 * (where a file lies is not vCenter state).
 */
function fingerprintFields(f: Finding): unknown[] {
  const fields = legacyFields(f);
  return f.vcenter !== undefined ? [...fields, f.vcenter] : fields;
}

/** What format 2 fingerprinted: everything but the vCenter. */
function legacyFields(f: Finding): unknown[] {
  return [
    f.rule,
    f.tenant,
    f.principal,
    f.entity ? [f.entity.moref, f.entity.type] : null,
    f.evidence.map(permissionKey).sort(),
    f.rule === 'shared-principal' ? [] : [...(f.details ?? [])].sort(),
  ];
}

function digest(fields: unknown[]): string {
  const hex = createHash('sha256').update(JSON.stringify(fields)).digest('hex');
  return `F-${hex.slice(0, ID_HEX_DIGITS)}`;
}

export function findingId(f: Finding): string {
  return digest(fingerprintFields(f));
}

/**
 * The id report format 2 gave a fleet finding (no vCenter in it), so that `--previous` can
 * still follow findings from a format 2 fleet report; matched together with the vCenter.
 * Findings that collided in format 2 (told apart by their message there) are not matched.
 */
export function formatTwoFindingId(f: Finding): string {
  return digest(legacyFields(f));
}

/**
 * Gives every finding its id. Findings whose fields coincide (e.g. one account shared with
 * two tenants, told apart only by their sentence) also fingerprint their message, so ids
 * stay unique; that fallback is as stable as the message text.
 */
export function withFindingIds<T extends Finding>(
  findings: readonly T[],
): Array<T & TrackedFinding> {
  const ids = findings.map(findingId);
  const count = new Map<string, number>();
  for (const id of ids) count.set(id, (count.get(id) ?? 0) + 1);
  return findings.map((f, i) => {
    let id = ids[i]!;
    if ((count.get(id) ?? 0) > 1) id = digest([...fingerprintFields(f), f.message]);
    return { ...f, id };
  });
}
