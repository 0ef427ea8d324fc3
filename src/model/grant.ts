/**
 * Whether a tenant's grant is in place on one object. One answer for `tenant plan / apply /
 * verify / drift` and the audit's missing-grant rule: the account's own permission on the
 * object (an inherited one does not count: grants are made per object), not propagating
 * (README "Tenant onboarding": every grant without propagation), whose role holds every
 * privilege of the tenant's role. A role with more privileges (a superset) works for ASR as
 * well, so it is in place; whether it is too much is the audit's excess-privilege question.
 * System.Anonymous, System.View and System.Read count here: they are all the Read-only
 * role holds, and the No Access role lacks them.
 */
import type { Permission } from './snapshot';

export type GrantState =
  | { inPlace: true }
  | { inPlace: false; reason: 'absent' }
  | { inPlace: false; reason: 'propagates' }
  | { inPlace: false; reason: 'lacks-privileges'; lacking: string[] };

/**
 * @param held the account's own permission on the object, if any
 * @param required the privileges of the tenant's role
 * @param privilegesOf the privileges of a role id (empty for a role the server does not list)
 */
export function grantState(
  held: Pick<Permission, 'roleId' | 'propagate'> | undefined,
  required: Iterable<string>,
  privilegesOf: (roleId: number) => ReadonlySet<string>,
): GrantState {
  if (!held) return { inPlace: false, reason: 'absent' };
  const have = privilegesOf(held.roleId);
  const lacking = [...new Set(required)].filter((p) => !have.has(p)).sort();
  if (lacking.length > 0) return { inPlace: false, reason: 'lacks-privileges', lacking };
  if (held.propagate) return { inPlace: false, reason: 'propagates' };
  return { inPlace: true };
}
