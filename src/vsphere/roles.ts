/**
 * A vCenter's roles and privilege catalogue in the model's terms (AuthorizationManager's
 * roleList, privilegeList and description). One mapping from the server's role to the
 * model's, used by the collector, the role and compare use cases and rollback.
 */
import type { Privilege, Role } from '../model/snapshot';
import type { VimClient } from './client';
import type { AuthorizationPrivilege, AuthorizationRole, PrivilegeDescription } from './types';

/** vCenter's built-in Administrator role: it holds every privilege the server defines. */
export const ADMIN_ROLE_ID = -1;

/** Keys in the schema's order: the snapshot written is then the one collected, byte for byte. */
export function toModelRole(r: AuthorizationRole): Role {
  return {
    id: r.roleId,
    name: r.name,
    system: r.system,
    ...(r.label === undefined ? {} : { label: r.label }),
    ...(r.summary === undefined ? {} : { summary: r.summary }),
    privileges: r.privileges,
  };
}

export async function readRoles(client: Pick<VimClient, 'roleList'>): Promise<Role[]> {
  return (await client.roleList()).map(toModelRole);
}

export interface PrivilegeCatalogue {
  privileges: Privilege[];
  /** privilegeList, or the Admin role's privileges where privilegeList is empty (the simulator). */
  source: 'privilegeList' | 'adminRole';
}

/**
 * Every privilege this server defines, with the vSphere Client labels where the server
 * describes them (AuthorizationManager.description.privilege). The catalogue decides what
 * `VirtualMachine.Config.*` expands to. Labels are optional: when the description cannot be
 * read, `onDescriptionError` hears why and the catalogue has ids only.
 */
export async function readPrivilegeCatalogue(
  client: Pick<VimClient, 'privilegeList' | 'privilegeDescriptions'>,
  roles: readonly Role[],
  onDescriptionError: (err: Error) => void = () => undefined,
): Promise<PrivilegeCatalogue> {
  const [list, descriptions] = await Promise.all([
    client.privilegeList(),
    client.privilegeDescriptions().catch((err: Error): PrivilegeDescription[] => {
      onDescriptionError(err);
      return [];
    }),
  ]);
  const labels = new Map(descriptions.map((d) => [d.key, d] as const));
  const withLabel = (p: Privilege): Privilege => {
    const d = labels.get(p.id);
    if (d?.label) p.label = d.label;
    if (d?.summary) p.summary = d.summary;
    return p;
  };
  if (list.length > 0) {
    return { source: 'privilegeList', privileges: list.map((p) => withLabel(fromPrivilege(p))) };
  }
  // The simulator leaves privilegeList empty; its Administrator role holds the full set.
  const admin = roles.find((r) => r.id === ADMIN_ROLE_ID);
  return {
    source: 'adminRole',
    privileges: (admin?.privileges ?? []).map((id) => withLabel(fromPrivilegeId(id))),
  };
}

function fromPrivilege(p: AuthorizationPrivilege): Privilege {
  return { id: p.privId, group: p.privGroupName, name: p.name, onParent: p.onParent };
}

/** `VirtualMachine.Config.Rename` → group `VirtualMachine.Config`, name `Rename`. */
export function fromPrivilegeId(id: string): Privilege {
  const dot = id.lastIndexOf('.');
  return {
    id,
    group: dot > 0 ? id.slice(0, dot) : '',
    name: dot > 0 ? id.slice(dot + 1) : id,
    onParent: false,
  };
}
