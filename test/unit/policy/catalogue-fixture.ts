/** Privilege catalogues shaped like a server's privilegeList, for resolving policies in unit tests. */
import type { Privilege } from '../../../src/model/snapshot';

export function privilege(id: string, label?: string): Privilege {
  const dot = id.lastIndexOf('.');
  return {
    id,
    group: id.slice(0, dot),
    name: id.slice(dot + 1),
    onParent: false,
    ...(label ? { label } : {}),
  };
}

export function catalogue(ids: readonly string[]): Privilege[] {
  return ids.map((id) => privilege(id));
}

/** VirtualMachine.Config.* of a 6.7-era server (privileges.md: 27 IDs incl. Unlock). */
export const VM_CONFIG_67 = [
  'AddExistingDisk',
  'AddNewDisk',
  'AddRemoveDevice',
  'AdvancedConfig',
  'Annotation',
  'CPUCount',
  'ChangeTracking',
  'DiskExtend',
  'DiskLease',
  'EditDevice',
  'HostUSBDevice',
  'ManagedBy',
  'Memory',
  'MksControl',
  'QueryFTCompatibility',
  'QueryUnownedFiles',
  'RawDevice',
  'ReloadFromPath',
  'RemoveDisk',
  'Rename',
  'ResetGuestInfo',
  'Resource',
  'Settings',
  'SwapPlacement',
  'ToggleForkParent',
  'Unlock',
  'UpgradeVirtualHardware',
].map((n) => `VirtualMachine.Config.${n}`);

/** The same group on 8.x: Unlock is gone. */
export const VM_CONFIG_8X = VM_CONFIG_67.filter((id) => id !== 'VirtualMachine.Config.Unlock');
