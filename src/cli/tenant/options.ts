/** Options and help text shared by the tenant subcommands. */
import type { Command } from 'commander';
import type { ConnectionFlags } from '../connection';
import type { GlobalOptions } from '../context';
import { addTenantFilesOption, type TenantFileFlags } from '../tenant-option';

export interface TenantOptions extends GlobalOptions, ConnectionFlags, TenantFileFlags {
  json?: boolean;
  yes?: boolean;
  prune?: boolean;
  backup?: string;
  backupDir?: string;
  concurrency?: string;
  role?: string;
}

/** The --tenant option, and the examples and exit codes also on each subcommand's --help. */
export function withTenantOption(cmd: Command): Command {
  return addTenantFilesOption(
    cmd,
    'tenant',
    'tenant policy files or directories of them (repeatable); pass every tenant so that VMs claimed twice are caught',
  ).addHelpText('after', EXAMPLES);
}

export const EXAMPLES = `
Examples:
  drperm tenant plan --tenant policies/tenants/
  drperm tenant apply --tenant policies/tenants/contoso.yaml --tenant policies/tenants/fabrikam.yaml
  drperm tenant apply --tenant policies/tenants/ --prune --yes
  drperm tenant verify --tenant policies/tenants/ --json
  drperm tenant drift --tenant policies/tenants/        # from cron or CI: exit 1 on drift
  drperm tenant discover --tenant policies/tenants/ --tenant-passwords pw.yaml   # as each tenant
  drperm tenant rollback --tenant policies/tenants/contoso.yaml --backup reports/backups/contoso-20260115T103000000Z.json
  drperm tenant apply --fleet drperm.yaml --tenant policies/tenants/   # every tenant on its vCenter(s), one confirmation

Exit codes: 0 ok / nothing to change; 1 differences or drift (verify, drift);
2 bad input or a refusal (VM claimed twice, shared account, bad path, missing role or account);
3 server error or a change that failed (run apply again to complete it).`;
