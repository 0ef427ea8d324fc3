/**
 * What one session can discover, the way Azure Site Recovery's configuration server walks a
 * vCenter: a recursive ContainerView on the root folder with the account's own session, read
 * page by page. vCenter returns only the objects the session's user may see (System.View),
 * and their properties only with System.Read (otherwise in missingSet).
 */
import type { VimClient } from './client';
import { isMoRef, type ObjectContent } from './decode';
import { MissingPropertyError } from './faults';

export const DISCOVERY_PAGE_SIZE = 1000;

/** One object the session sees. */
export interface DiscoveredObject {
  ref: string;
  type: string;
  /** '' when the session may see the object but not read its name. */
  name: string;
  /** Parent ref, when readable. */
  parent: string | null;
  /** VMs: the resource pool, when readable. */
  resourcePool?: string | null;
  /** False when the server withheld properties (no System.Read). */
  readable: boolean;
}

export interface Discovery {
  /** The session sees the root folder itself (the vCenter object of the guide's table). */
  rootVisible: boolean;
  objects: DiscoveredObject[];
}

const PROPS = [
  { type: 'ManagedEntity', pathSet: ['name', 'parent'] },
  { type: 'VirtualMachine', pathSet: ['resourcePool'] },
];

function refOf(value: unknown): string | null {
  return isMoRef(value) ? value.value : null;
}

function toDiscovered(oc: ObjectContent): DiscoveredObject {
  const name = oc.props.get('name');
  const out: DiscoveredObject = {
    ref: oc.obj.value,
    type: oc.obj.type,
    name: typeof name === 'string' ? name : '',
    parent: refOf(oc.props.get('parent')),
    readable: oc.missing.length === 0,
  };
  if (oc.obj.type === 'VirtualMachine') out.resourcePool = refOf(oc.props.get('resourcePool'));
  return out;
}

/** Everything the client's session can see from the root folder down. */
export async function discoverInventory(
  client: VimClient,
  options: { pageSize?: number; progress?: (message: string) => void } = {},
): Promise<Discovery> {
  const root = client.serviceContent.rootFolder;
  let rootVisible: boolean;
  try {
    rootVisible = (await client.retrieveObject(root, ['name'])) !== undefined;
  } catch (err) {
    // Returned, but without its name: the session sees the root and may not read it.
    if (!(err instanceof MissingPropertyError)) throw err;
    rootVisible = true;
  }
  const objects: DiscoveredObject[] = [];
  await client.viewObjects(
    root,
    {
      types: ['ManagedEntity'],
      propSet: PROPS,
      pageSize: options.pageSize ?? DISCOVERY_PAGE_SIZE,
      allowMissing: true,
    },
    (oc) => {
      if (oc.obj.value === root.value) return;
      objects.push(toDiscovered(oc));
      if (objects.length % 1000 === 0) options.progress?.(`discovered ${objects.length} objects`);
    },
  );
  return { rootVisible, objects };
}
