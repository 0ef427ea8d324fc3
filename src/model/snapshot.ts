/**
 * The snapshot: everything an audit needs, collected from one vCenter at one moment.
 * Offline audits read it instead of a live server, so the schema is versioned and
 * validated on both write and read. Managed object ids (`ref`) are opaque strings:
 * the simulator's datastore ids contain '/' and '@'.
 */
import { z } from 'zod';
import { MembershipDataSchema } from './membership';

export const SNAPSHOT_FORMAT = 'drperm-snapshot';
export const SNAPSHOT_FORMAT_VERSION = 1;

export const PrivilegeSchema = z.object({
  /** Privilege id, e.g. `VirtualMachine.Config.Rename`. */
  id: z.string().min(1),
  /** privGroupName, e.g. `VirtualMachine.Config`. */
  group: z.string(),
  /** Short name within the group, e.g. `Rename`. */
  name: z.string(),
  onParent: z.boolean(),
  /** vSphere Client label when the server describes it (AuthorizationManager.description). */
  label: z.string().optional(),
  summary: z.string().optional(),
});
export type Privilege = z.infer<typeof PrivilegeSchema>;

export const RoleSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  system: z.boolean(),
  label: z.string().optional(),
  summary: z.string().optional(),
  privileges: z.array(z.string()),
});
export type Role = z.infer<typeof RoleSchema>;

export const PermissionSchema = z.object({
  /** Ref of the entity the permission is defined on. */
  entity: z.string().min(1),
  principal: z.string().min(1),
  group: z.boolean(),
  roleId: z.number().int(),
  propagate: z.boolean(),
});
export type Permission = z.infer<typeof PermissionSchema>;

export const EntitySchema = z.object({
  ref: z.string().min(1),
  /** Managed object type, e.g. Folder, Datacenter, ClusterComputeResource, VirtualMachine. */
  type: z.string().min(1),
  name: z.string(),
  /** Parent ref; null for the root folder. For a VM in a vApp this is null and parentVApp is set. */
  parent: z.string().nullable(),
  /** VMs: the resource pool (second inheritance parent). */
  resourcePool: z.string().nullable().optional(),
  /** VMs inside a vApp: the vApp. */
  parentVApp: z.string().nullable().optional(),
  /** vApps: the VM folder (second inheritance parent). */
  parentFolder: z.string().nullable().optional(),
  /**
   * VMs: where they run (runtime.host) and what they use (datastore, network), read by
   * `tenant init` to find a tenant's shared objects. Absent in snapshots of older drperm builds.
   */
  host: z.string().nullable().optional(),
  datastores: z.array(z.string()).optional(),
  networks: z.array(z.string()).optional(),
  /** Inventory path as govc prints it, e.g. `/DC0/vm/contoso/vm1`; names escape '/' as %2f. */
  path: z.string(),
});
export type Entity = z.infer<typeof EntitySchema>;

export const VcenterInfoSchema = z.object({
  /** about.name, e.g. "VMware vCenter Server". */
  name: z.string(),
  fullName: z.string(),
  instanceUuid: z.string(),
  apiType: z.string(),
  apiVersion: z.string(),
  version: z.string(),
  build: z.string(),
});
export type VcenterInfo = z.infer<typeof VcenterInfoSchema>;

export const SnapshotSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  formatVersion: z.literal(SNAPSHOT_FORMAT_VERSION),
  tool: z.object({ name: z.literal('drperm'), version: z.string() }),
  collectedAt: z.iso.datetime(),
  source: z.object({
    /** Server URL without credentials. */
    url: z.string(),
    /** The account that collected (never its password). */
    username: z.string(),
  }),
  vcenter: VcenterInfoSchema,
  rootFolder: z.string().min(1),
  /** Where the privilege catalogue came from: privilegeList, or the Admin role where the list is empty (simulator). */
  privilegeSource: z.enum(['privilegeList', 'adminRole']),
  privileges: z.array(PrivilegeSchema),
  roles: z.array(RoleSchema),
  permissions: z.array(PermissionSchema),
  entities: z.array(EntitySchema),
  /** Notes from collection an auditor should see (e.g. permissions the server returned without an entity). */
  warnings: z.array(z.string()),
  /** Group membership read from identity sources at collection (see src/model/membership.ts). */
  membership: MembershipDataSchema.optional(),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;
