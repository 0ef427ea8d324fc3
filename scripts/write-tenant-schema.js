// Rewrites policies/tenant.schema.json from the zod schema (run via `npm run schema`, after a build).
// Formatted with the project's Prettier settings so that `npm run lint` accepts it as written.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const prettier = require('prettier');
const {
  renderTenantPolicyJsonSchema,
  TENANT_SCHEMA_FILE,
} = require('../dist/policy/tenant-json-schema.js');

async function main() {
  const target = join(__dirname, '..', TENANT_SCHEMA_FILE);
  const options = (await prettier.resolveConfig(target)) ?? {};
  const text = await prettier.format(renderTenantPolicyJsonSchema(), {
    ...options,
    filepath: target,
  });
  writeFileSync(target, text);
  process.stderr.write(`wrote ${TENANT_SCHEMA_FILE}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
});
