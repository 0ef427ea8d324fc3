// Rewrites policies/tenant.schema.json and policies/fleet.schema.json from the zod schemas (run via `npm run schema`, after a build).
// Formatted with the project's Prettier settings so that `npm run lint` accepts it as written.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const prettier = require('prettier');
const {
  renderTenantPolicyJsonSchema,
  TENANT_SCHEMA_FILE,
} = require('../dist/policy/tenant-json-schema.js');
const { renderFleetJsonSchema, FLEET_SCHEMA_FILE } = require('../dist/policy/fleet-json-schema.js');

async function write(file, json) {
  const target = join(__dirname, '..', file);
  const options = (await prettier.resolveConfig(target)) ?? {};
  const text = await prettier.format(json, { ...options, filepath: target });
  writeFileSync(target, text);
  process.stderr.write(`wrote ${file}\n`);
}

async function main() {
  await write(TENANT_SCHEMA_FILE, renderTenantPolicyJsonSchema());
  await write(FLEET_SCHEMA_FILE, renderFleetJsonSchema());
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
});
