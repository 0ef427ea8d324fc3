/**
 * Schemas of the shipped and user-written policy files (YAML). The JSON Schema
 * published for editors is generated from these (see `drperm schema`).
 */
import { z } from 'zod';

/** A privilege entry of a role or baseline policy. */
export const PrivilegeEntrySchema = z
  .object({
    /** Privilege id, or a group wildcard such as `VirtualMachine.Config.*` expanded from the server's catalogue. */
    id: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9_]+)*(\.\*)?$/,
        'not a privilege id (e.g. Datastore.Browse or VirtualMachine.Config.*)',
      ),
    /** vSphere Client display name, e.g. "Datastore > Allocate space". */
    label: z.string().min(1),
    /** What the privilege is needed for (shown when a variant has to drop it). */
    purpose: z.string().optional(),
    /** The privilege exists only in some vSphere versions: skipped with a note when the server lacks it. */
    versionDependent: z.boolean().optional(),
  })
  .strict();
export type PrivilegeEntry = z.infer<typeof PrivilegeEntrySchema>;

export const RolePolicySchema = z
  .object({
    kind: z.literal('role'),
    /** Role name in vCenter. */
    name: z.string().min(1),
    description: z.string().optional(),
    /** Where the list comes from (document, section). */
    source: z.string().optional(),
    /** Name of the AVS-assignable variant created by `drperm role apply --avs`. */
    avsName: z.string().min(1).optional(),
    privileges: z.array(PrivilegeEntrySchema).min(1),
  })
  .strict();
export type RolePolicy = z.infer<typeof RolePolicySchema>;

export const BaselinePolicySchema = z
  .object({
    kind: z.literal('baseline'),
    /** Role name of the baseline on the server, e.g. CloudAdmin. */
    name: z.string().min(1),
    description: z.string().optional(),
    source: z.string().optional(),
    privileges: z.array(PrivilegeEntrySchema).min(1),
  })
  .strict();
export type BaselinePolicy = z.infer<typeof BaselinePolicySchema>;

/** vCenter limits object names to 80 characters; a path is a few of them. */
const MAX_NAME_LENGTH = 1024;
const MAX_PATH_LENGTH = 8192;
/** Each glob is tested against every VM name: the bound keeps a run within seconds at 45,000 VMs. */
export const MAX_NAME_GLOBS = 1000;

const InventoryPath = z
  .string()
  .max(MAX_PATH_LENGTH)
  .regex(/^\//, 'inventory paths start with "/" (govc style, e.g. /DC0/vm/contoso)');

/** A vCenter or NSX Manager name in the fleet file (README "Dedicated and managed-service models"). */
export const FleetName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only');

export const TenantModeSchema = z.enum(['failback', 'failover-only']);
export type TenantMode = z.infer<typeof TenantModeSchema>;

export const TenantPolicySchema = z
  .object({
    /** Tenant name: letters, digits, '-', '_' and '.'. */
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only'),
    /** failback: the Azure_Site_Recovery role; failover-only: the built-in Read-only role (README "Onboarding a tenant"). */
    mode: TenantModeSchema,
    /** The fleet vCenter(s) the tenant lives on (names from drperm.yaml); needed when the fleet has several. */
    vcenter: z.union([FleetName, z.array(FleetName).min(1)]).optional(),
    /** The configuration server's vCenter account. */
    account: z
      .object({
        /** As vCenter writes it: `DOMAIN\name`, e.g. `VSPHERE.LOCAL\asr-contoso`. */
        principal: z.string().min(1),
        group: z.boolean().default(false),
      })
      .strict(),
    /** Role assigned in failback mode (default Azure_Site_Recovery; e.g. Azure_Site_Recovery_AVS on AVS). */
    role: z.string().min(1).optional(),
    /** Read-only on the vCenter root folder, not propagated (ASR reads the vCenter itself). */
    vcenterReadOnly: z.boolean().default(true),
    /**
     * Accept VM selectors that match no VM (a tenant onboarded before its VMs exist). Without
     * it a folder without VMs or a glob matching nothing is refused: usually a typo.
     */
    allowEmpty: z.boolean().optional(),
    objects: z
      .object({
        datacenters: z.array(InventoryPath).default([]),
        /** A cluster means the cluster and each of its hosts. */
        hosts: z.array(InventoryPath).default([]),
        /** A datastore cluster means it and each member datastore. */
        datastores: z.array(InventoryPath).default([]),
        networks: z.array(InventoryPath).default([]),
        /** Configuration, process and master target servers (VM paths). */
        managementServers: z.array(InventoryPath).default([]),
        /** Tenant VMs: every VM matched by any selector (resolved at plan time). */
        vms: z
          .object({
            /** VMs in these folders and their subfolders. */
            folders: z.array(InventoryPath).default([]),
            /** VM name globs (`*` and `?`), matched anywhere in the inventory. */
            names: z
              .array(z.string().min(1).max(MAX_NAME_LENGTH))
              .max(
                MAX_NAME_GLOBS,
                `at most ${MAX_NAME_GLOBS} name globs; select large tenants by folder`,
              )
              .default([]),
            /** Individual VM paths. */
            paths: z.array(InventoryPath).default([]),
          })
          .strict()
          .default({ folders: [], names: [], paths: [] }),
      })
      .strict(),
    /** The tenant's NSX Manager principals (LDAP users or groups) and the NSX paths it owns. */
    nsx: z
      .object({
        principals: z.array(z.string().min(1)).default([]),
        paths: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .optional(),
  })
  .strict();
export type TenantPolicy = z.infer<typeof TenantPolicySchema>;

/** `--membership FILE`: group name -> member user names, as vCenter writes principals. */
export const MembershipSchema = z.record(z.string().min(1), z.array(z.string().min(1)));
export type Membership = z.infer<typeof MembershipSchema>;
