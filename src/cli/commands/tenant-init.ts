/**
 * `drperm tenant init NAME`: writes a tenant file from where the tenant's VMs run (README
 * "Onboarding a tenant", step 2). Non-interactive, so that 200 tenants can be scripted:
 * stdout by default, `--out FILE` refuses an existing file without `--force`.
 */
import { stat, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { initTenant } from '../../ops/inventory';
import { TenantModeSchema, type TenantMode } from '../../policy/schemas';
import { InputError } from '../../util/errors';
import { checkWritableFile } from '../../util/out-path';
import { addConnectionOptions, type ConnectionFlags } from '../connection';
import { makeContext, type GlobalOptions } from '../context';
import { run } from '../run';
import { obtainSnapshot } from '../snapshot-source';

interface InitFlags extends GlobalOptions, ConnectionFlags {
  account: string;
  group?: boolean;
  vmFolder: string;
  pool?: string;
  managementServer?: string[];
  mode?: string;
  out?: string;
  force?: boolean;
  snapshot?: string;
}

const EXAMPLES = `
Examples:
  $ drperm tenant init contoso --account 'VSPHERE.LOCAL\\asr-contoso' --vm-folder /DC0/vm/contoso
  $ drperm tenant init contoso --account asr-contoso@vsphere.local --vm-folder /DC0/vm/contoso \\
      --management-server /DC0/vm/contoso/contoso-cs01 --out policies/tenants/contoso.yaml
  $ drperm tenant init newco --account 'VSPHERE.LOCAL\\asr-newco' --vm-folder /DC0/vm/newco \\
      --pool /DC0/host/DC0_C0/Resources/newco-rp --mode failover-only --snapshot reports/vc01.json

The shared objects come from where the VMs of the folder (and of --pool, and the management
servers) run: their datacenter, the clusters or standalone hosts of runtime.host, their
datastores (a datastore cluster when they are in one) and their networks. Each entry gets a
comment saying why. A folder without VMs needs --pool; the file then says allowEmpty: true.
Review the file, then plan with every tenant: drperm tenant plan --tenant policies/tenants/
Exit codes: 0 written; 2 bad path, account or mode, or --out exists without --force; 3 server error.`;

export function registerInit(tenant: Command): void {
  addConnectionOptions(
    tenant
      .command('init')
      .argument('<name>', 'tenant name (letters, digits, ".", "_" and "-")')
      .description("write a tenant file from where the tenant's VMs run, one comment per entry")
      .requiredOption(
        '--account <principal>',
        "the configuration server's vCenter account, DOMAIN\\name or name@domain",
      )
      .option('--group', '--account is a group')
      .requiredOption('--vm-folder <path>', "the tenant's VM folder, e.g. /DC0/vm/contoso")
      .option(
        '--pool <path>',
        "the tenant's resource pool (its cluster, and its VMs outside the folder)",
      )
      .option(
        '--management-server <path...>',
        'configuration, process and master target server VMs',
      )
      .option(
        '--mode <mode>',
        'failback (the Azure_Site_Recovery role) or failover-only (Read-only)',
        'failback',
      )
      .option('--out <file>', 'write the file here instead of stdout')
      .option('--force', 'overwrite --out if it exists')
      .option('--snapshot <file>', 'read a snapshot from `drperm collect` instead of connecting'),
  )
    .addHelpText('after', EXAMPLES)
    .action(
      run(async (name: string, _o: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<InitFlags>();
        const ctx = makeContext(opts);
        const mode = parseMode(opts.mode);
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
          throw new InputError(`tenant name "${name}": letters, digits, ".", "_" and "-" only`);
        if (opts.out !== undefined) {
          if (!opts.force && (await stat(opts.out).catch(() => undefined)))
            throw new InputError(`${opts.out} exists; pass --force to overwrite it`);
          await checkWritableFile(opts.out, '--out');
        }
        const source = await obtainSnapshot(opts, ctx);
        const { init, text } = initTenant(source.snapshot, {
          name,
          principal: opts.account,
          group: opts.group === true,
          vmFolder: opts.vmFolder,
          ...(opts.pool !== undefined ? { pool: opts.pool } : {}),
          managementServers: opts.managementServer ?? [],
          mode,
          source: source.file ?? source.snapshot.source.url,
        });
        for (const w of init.warnings) ctx.log.warn(w);
        if (opts.out === undefined) return ctx.out(text.trimEnd());
        await writeFile(opts.out, text, { encoding: 'utf8', flag: opts.force ? 'w' : 'wx' });
        ctx.log.info(
          `wrote ${opts.out}: ${init.vmCount} VM(s), ${init.hosts.length} host/cluster, ${init.datastores.length} datastore, ${init.networks.length} network entries`,
        );
      }),
    );
}

function parseMode(value: string | undefined): TenantMode {
  const parsed = TenantModeSchema.safeParse(value ?? 'failback');
  if (parsed.success) return parsed.data;
  throw new InputError(`--mode must be failback or failover-only, got "${String(value)}"`);
}
