/**
 * The server side of role work, in the model's terms: the privilege catalogue and the
 * roles of a connected vCenter, and the two calls that change a role. Shared by
 * `drperm role` and `drperm compare cloudadmin`. (The same catalogue logic as the
 * snapshot collector's, which keeps its own private.)
 */
import type { Privilege, Role } from '../model/snapshot';
import type { VimClient } from '../vsphere/client';
import { fromPrivilegeId } from '../vsphere/collect';

/** vCenter's built-in Administrator role: it holds every privilege the server defines. */
const ADMIN_ROLE_ID = -1;

export interface PrivilegeCatalogue {
  privileges: Privilege[];
  /** privilegeList, or the Admin role's privileges where privilegeList is empty (the simulator). */
  source: 'privilegeList' | 'adminRole';
}

export async function readRoles(client: VimClient): Promise<Role[]> {
  return (await client.roleList()).map((r) => ({
    id: r.roleId,
    name: r.name,
    system: r.system,
    ...(r.label !== undefined ? { label: r.label } : {}),
    ...(r.summary !== undefined ? { summary: r.summary } : {}),
    privileges: r.privileges,
  }));
}

/**
 * Every privilege this server defines, with the vSphere Client labels where the server
 * describes them. The catalogue decides what `VirtualMachine.Config.*` expands to.
 */
export async function readPrivilegeCatalogue(
  client: VimClient,
  roles?: readonly Role[],
): Promise<PrivilegeCatalogue> {
  const [list, descriptions] = await Promise.all([
    client.privilegeList(),
    client.privilegeDescriptions().catch(() => []),
  ]);
  const labels = new Map(descriptions.map((d) => [d.key, d] as const));
  const describe = (id: string) => {
    const d = labels.get(id);
    return d ? { label: d.label, summary: d.summary } : {};
  };
  if (list.length > 0) {
    return {
      source: 'privilegeList',
      privileges: list.map((p) => ({
        id: p.privId,
        group: p.privGroupName,
        name: p.name,
        onParent: p.onParent,
        ...describe(p.privId),
      })),
    };
  }
  // The simulator leaves privilegeList empty; its Administrator role holds the full set.
  const admin = (roles ?? (await readRoles(client))).find((r) => r.id === ADMIN_ROLE_ID);
  return {
    source: 'adminRole',
    privileges: (admin?.privileges ?? []).map((id) => ({
      ...fromPrivilegeId(id),
      ...describe(id),
    })),
  };
}
