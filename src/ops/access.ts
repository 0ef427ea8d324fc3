/** `access --principal`: every object one principal reaches, and why, from a snapshot. */
import { AccessModel, reachableEntities } from '../audit/effective-access';
import { resolvePrincipals } from '../audit/principals';
import type { EffectiveAccessEntry } from '../audit/types';
import { principalKey, type PrincipalId } from '../model/principal';
import type { Snapshot } from '../model/snapshot';
import type { Membership } from '../policy/schemas';
import { nearest } from '../util/suggest';
import { warn, type Emit } from './events';

export function accessOf(
  snapshot: Snapshot,
  principal: PrincipalId,
  membership: Membership | undefined,
  emit: Emit,
): EffectiveAccessEntry[] {
  const model = new AccessModel(snapshot);
  const principals = resolvePrincipals(principal.name, {
    group: principal.group,
    ...(membership ? { membership } : {}),
  });
  if (model.permissionsOf(principals).length === 0) warnUnknownPrincipal(model, principal, emit);
  return reachableEntities(model, principals);
}

/** No permission names the principal: most often a typo or the wrong DOMAIN\ form. */
function warnUnknownPrincipal(model: AccessModel, principal: PrincipalId, emit: Emit): void {
  const all = new Set(model.snapshot.permissions.map((p) => p.principal));
  const other: PrincipalId = { name: principal.name, group: !principal.group };
  const sameNameOtherKind = [...all].some(
    (name) => principalKey({ name, group: other.group }) === principalKey(other),
  );
  const near = nearest(principal.name, all, 3);
  const kind = principal.group ? 'group' : 'user';
  warn(
    emit,
    `no permission names ${kind} ${principal.name}` +
      (sameNameOtherKind
        ? ` (a ${principal.group ? 'user' : 'group'} of that name has permissions: ${principal.group ? 'drop' : 'add'} --group)`
        : '') +
      (near.length > 0 ? `; principals with permissions nearest to it: ${near.join(', ')}` : ''),
  );
}
