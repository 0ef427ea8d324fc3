/**
 * The JSON Schema of tenant policy files, generated from the zod schema so that the
 * two can never disagree. Editors (VS Code YAML, IntelliJ) use the committed copy,
 * policies/tenant.schema.json; `npm run schema` rewrites it and a unit test fails
 * when it is stale.
 */
import { z } from 'zod';
import { TenantPolicySchema } from './schemas';

export const TENANT_SCHEMA_FILE = 'policies/tenant.schema.json';

/**
 * Descriptions shown by editors, keyed by property path. zod keeps TypeScript doc
 * comments out of the generated schema, so the user-facing text lives here.
 */
const DESCRIPTIONS: Record<string, string> = {
  '': 'drperm tenant policy: the vCenter permissions one tenant configuration server account needs for Azure Site Recovery (one file per tenant). Every grant is made with propagate = false.',
  tenant:
    'Tenant name: letters, digits, ".", "_" and "-". Names backups and reports; unique across all tenant files.',
  mode: 'failback: the Azure_Site_Recovery role (or `role`) on every object; failover-only: the built-in Read-only role (seed 001 "Failover only").',
  vcenter:
    'The vCenter(s) of the fleet file (drperm.yaml) this tenant lives on: one name, or a list. Required when the fleet has several vCenters.',
  account: "The configuration server's vCenter access account.",
  'account.principal':
    'As vCenter writes it: DOMAIN\\name, e.g. VSPHERE.LOCAL\\asr-contoso (name@domain is accepted and rewritten).',
  'account.group': 'true when the principal is an SSO or directory group.',
  role: 'Role assigned in failback mode (default Azure_Site_Recovery; e.g. Azure_Site_Recovery_AVS on Azure VMware Solution). Create it with `drperm role apply`.',
  vcenterReadOnly:
    'Grant Read-only on the vCenter root folder, not propagated (seed 001: "vCenter | Read-Only").',
  objects:
    "Objects that carry the account's permission. Inventory paths are govc style (/DC0/host/DC0_C0).",
  'objects.datacenters': 'Datacenters, e.g. /DC0.',
  'objects.hosts': 'Hosts and clusters; a cluster means the cluster and each of its hosts.',
  'objects.datastores':
    'Datastores and datastore clusters; a datastore cluster means it and each member datastore.',
  'objects.networks': 'Port groups and networks, e.g. /DC0/network/DC0_DVPG0.',
  'objects.managementServers': 'Configuration, process and master target server VMs.',
  'objects.vms':
    'Tenant VMs: every VM matched by any selector, resolved at plan time so new VMs are picked up.',
  'objects.vms.folders': 'VMs in these folders and their subfolders.',
  'objects.vms.names': 'VM name globs (* and ?), matched anywhere in the inventory.',
  'objects.vms.paths': 'Individual VM paths.',
  nsx: "The tenant's NSX Manager principals and the NSX paths it owns (used by the NSX audit).",
};

type JsonObject = Record<string, unknown>;

function describe(node: JsonObject, path: string): void {
  const text = DESCRIPTIONS[path];
  if (text !== undefined) node.description = text;
  const props = node.properties as Record<string, JsonObject> | undefined;
  if (!props) return;
  for (const [key, child] of Object.entries(props)) describe(child, path ? `${path}.${key}` : key);
}

export function tenantPolicyJsonSchema(): JsonObject {
  // io: 'input' — fields with defaults are optional in the file.
  const schema = z.toJSONSchema(TenantPolicySchema, { io: 'input' }) as JsonObject;
  describe(schema, '');
  return { $schema: schema.$schema, title: 'drperm tenant policy', ...schema };
}

/** The exact text of policies/tenant.schema.json. */
export function renderTenantPolicyJsonSchema(): string {
  return JSON.stringify(tenantPolicyJsonSchema(), null, 2) + '\n';
}
