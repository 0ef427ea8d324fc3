/**
 * An in-memory AuthorizationManager with either server behaviour: a real vCenter's
 * SetEntityPermissions (add or update per principal) or the simulator's (replace the
 * whole list). Used to test the apply engine's merge, verification and reporting on
 * both, including a server that misbehaves and another administrator writing meanwhile.
 */
import type { PermissionApi } from '../../../src/plan/apply';
import { NotFoundFault } from '../../../src/vsphere/faults';
import type { PermissionWrites } from '../../../src/vsphere/server-contract';
import type { MoRef, VimPermission } from '../../../src/vsphere/types';

const key = (p: VimPermission) => `${p.group ? 'g' : 'u'}:${p.principal.toLowerCase()}`;

export class FakeAuthz implements PermissionApi {
  readonly permissionWrites: PermissionWrites;
  readonly store = new Map<string, VimPermission[]>();
  readonly calls: string[] = [];
  /** Called after each SetEntityPermissions: lets a test simulate a server that loses data. */
  afterSet?: (ref: string, list: VimPermission[]) => void;
  /** Called before each RetrieveEntityPermissions answers: lets a test change the object meanwhile. */
  beforeRead?: (ref: string) => void;
  /** Refs whose writes fail (e.g. the object was deleted). */
  readonly failing = new Set<string>();
  /** Refs whose writes are applied but whose answer is lost (a dropped connection). */
  readonly answerLost = new Set<string>();

  constructor(readonly replaces: boolean) {
    this.permissionWrites = replaces ? 'replace' : 'add-or-update';
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
    this.calls.push(`read ${entity.value}`);
    this.beforeRead?.(entity.value);
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
    if (this.replaces) list = sent;
    else {
      list = this.get(entity.value).filter((p) => !sent.some((s) => key(s) === key(p)));
      list.push(...sent);
    }
    this.store.set(entity.value, list);
    this.afterSet?.(entity.value, list);
    if (this.answerLost.has(entity.value)) throw new Error('socket hang up');
  }

  async removeEntityPermission(entity: MoRef, user: string, isGroup: boolean): Promise<void> {
    this.calls.push(`remove ${entity.value} ${user}`);
    const list = this.get(entity.value);
    const k = key({ principal: user, group: isGroup, roleId: 0, propagate: false });
    if (!list.some((p) => key(p) === k))
      throw new NotFoundFault({
        method: 'RemoveEntityPermission',
        faultType: 'NotFound',
        faultString: '',
      });
    this.store.set(
      entity.value,
      list.filter((p) => key(p) !== k),
    );
  }
}

/**
 * As vCenter: RetrieveAllPermissions answers every permission, each with its entity (or,
 * with `withoutEntity`, as the simulator does for permissions it did not get from drperm).
 */
export class FakeAuthzWithAll extends FakeAuthz {
  withoutEntity = false;
  /** Makes RetrieveAllPermissions fail (e.g. a dropped connection). */
  allFails = false;
  /** Called before RetrieveAllPermissions answers. */
  beforeReadAll?: () => void;

  async retrieveAllPermissions(): Promise<VimPermission[]> {
    this.calls.push('read all');
    this.beforeReadAll?.();
    if (this.allFails) throw new Error('socket hang up');
    return [...this.store].flatMap(([ref, list]) =>
      list.map((p) => ({
        ...p,
        ...(this.withoutEntity ? {} : { entity: { type: 'VirtualMachine', value: ref } }),
      })),
    );
  }
}
