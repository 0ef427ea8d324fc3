/**
 * The JSON Schema of the fleet file (drperm.yaml), generated from the zod schema like the
 * tenant schema; editors use the committed copy, policies/fleet.schema.json, which
 * `npm run schema` rewrites and a unit test keeps fresh.
 */
import { z } from 'zod';
import { FleetSchema } from './fleet';

export const FLEET_SCHEMA_FILE = 'policies/fleet.schema.json';

const SERVER: Record<string, string> = {
  name: 'Name of the server in this file; tenant files name vCenters by it (vcenter: NAME).',
  url: 'https URL or host name (vCenter: /sdk is added when no path is given).',
  username: 'Account drperm logs in with (default: defaults.username).',
  passwordEnv:
    'Name of the environment variable holding the password. Passwords never go in this file; without it drperm asks on a terminal.',
  thumbprint: "Pin the server's certificate by its SHA-256 or SHA-1 thumbprint, as govc prints it.",
  caFile: 'PEM file with the CA that signed the server certificate (default: defaults.caFile).',
  insecure: 'Do not verify the certificate (not recommended; default: defaults.insecure).',
};

const TOP: Record<string, string> = {
  vcenters:
    'The vCenters of the estate: one per tenant (dedicated), shared ones, customers\u2019 own (managed services).',
  nsxManagers: 'NSX Managers (AVS: one per private cloud).',
  defaults: 'Settings every server inherits unless it sets its own.',
};

type JsonObject = Record<string, unknown>;

function describeServers(node: JsonObject | undefined, extra: Record<string, string> = {}): void {
  const props = (node?.items as JsonObject | undefined)?.properties as
    Record<string, JsonObject> | undefined;
  for (const [key, child] of Object.entries(props ?? {})) {
    const text = extra[key] ?? SERVER[key];
    if (text !== undefined) child.description = text;
  }
}

export function fleetJsonSchema(): JsonObject {
  const schema = z.toJSONSchema(FleetSchema, { io: 'input' }) as JsonObject;
  schema.description =
    'drperm fleet file: the vCenters and NSX Managers of a partner estate (README "Dedicated and managed-service models").';
  const props = schema.properties as Record<string, JsonObject>;
  for (const [key, text] of Object.entries(TOP)) if (props[key]) props[key].description = text;
  describeServers(props.vcenters);
  describeServers(props.nsxManagers, {
    vcenter: 'The vCenter (by name) whose private cloud this NSX Manager serves.',
  });
  const defaults = props.defaults?.properties as Record<string, JsonObject> | undefined;
  if (defaults?.concurrency)
    defaults.concurrency.description = 'Servers collected at once (default 4).';
  return { $schema: schema.$schema, title: 'drperm fleet file', ...schema };
}

export function renderFleetJsonSchema(): string {
  return JSON.stringify(fleetJsonSchema(), null, 2) + '\n';
}
