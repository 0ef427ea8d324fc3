/**
 * An in-memory AuthorizationManager with either server behaviour: a real vCenter's
 * SetEntityPermissions (add or update per principal) or the simulator's (replace the
 * whole list). Used to test the apply engine's merge, verification and restore logic
 * on both, including a server that misbehaves.
 */
import type { PermissionApi } from '../../../src/plan/apply';
import type { MoRef, VimPermission } from '../../../src/vsphere/types';

const key = (p: VimPermission) => `${p.group ? 'g' : 'u'}:${p.principal.toLowerCase()}`;

export class FakeAuthz implements PermissionApi {
  readonly quirks: { setEntityPermissionsReplaces: boolean };
  readonly store = new Map<string, VimPermission[]>();
  readonly calls: string[] = [];
  /** Called after each SetEntityPermissions: lets a test simulate a server that loses data. */
  afterSet?: (ref: string, list: VimPermission[]) => void;
  /** Refs whose writes fail (e.g. the object was deleted). */
  readonly failing = new Set<string>();

  constructor(replaces: boolean) {
    this.quirks = { setEntityPermissionsReplaces: replaces };
  }

  seed(ref: string, ...perms: Omit<VimPermission, 'entity'>[]): void {
    this.store.set(
      ref,
      perms.map((p) => ({ ...p })),
    );
  }

  get(ref: string): VimPermission[] {
    return this.store.get(ref) ?? [];
  }

  async retrieveEntityPermissions(entity: MoRef, inherited: boolean): Promise<VimPermission[]> {
    if (inherited) throw new Error('the engine must read own permissions only');
    // The simulator returns what was written, without the entity field.
    return this.get(entity.value).map((p) => ({ ...p }));
  }

  async setEntityPermissions(entity: MoRef, permissions: readonly VimPermission[]): Promise<void> {
    this.calls.push(`set ${entity.value} ${permissions.map((p) => p.principal).join(',')}`);
    if (this.failing.has(entity.value)) throw new Error(`ManagedObjectNotFound ${entity.value}`);
    const sent = permissions.map(({ principal, group, roleId, propagate }) => ({
      principal,
      group,
      roleId,
      propagate,
    }));
    let list: VimPermission[];
    if (this.quirks.setEntityPermissionsReplaces) list = sent;
    else {
      list = this.get(entity.value).filter((p) => !sent.some((s) => key(s) === key(p)));
      list.push(...sent);
    }
    this.store.set(entity.value, list);
    this.afterSet?.(entity.value, list);
  }

  async removeEntityPermission(entity: MoRef, user: string, isGroup: boolean): Promise<void> {
    this.calls.push(`remove ${entity.value} ${user}`);
    const list = this.get(entity.value);
    const k = key({ principal: user, group: isGroup, roleId: 0, propagate: false });
    if (!list.some((p) => key(p) === k)) throw new Error('NotFound');
    this.store.set(
      entity.value,
      list.filter((p) => key(p) !== k),
    );
  }
}
