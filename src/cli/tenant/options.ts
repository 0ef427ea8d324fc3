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
  principal?: string[];
  out?: string;
  plan?: string;
  detailedExitcode?: boolean;
}

/** The --tenant option, with the subcommand's own examples and the exit codes on its --help. */
export function withTenantOption(cmd: Command, examples?: string): Command {
  const withOption = addTenantFilesOption(
    cmd,
    'tenant',
    'tenant policy files or directories of them (repeatable); pass every tenant so that VMs claimed twice are caught',
  );
  // A subcommand without examples here writes its own help text (tenant discover).
  return examples === undefined
    ? withOption
    : withOption.addHelpText('after', `\nExamples:\n${examples}\n${EXIT_CODES}`);
}

const EXIT_CODES = `
Exit codes: 0 ok / nothing to change; 1 differences or drift (verify, drift), changes pending
(plan --detailed-exitcode), or another principal's permission changed by someone else (apply,
rollback, restore: reported, not touched); 2 bad input or a refusal (VM claimed twice, shared account, bad
path, VM selector matching nothing, missing role or account, out-of-date saved plan);
3 server error or a change that failed (run apply again to complete it).`;

/** Each subcommand's examples (`drperm tenant --help` shows them all). */
export const TENANT_EXAMPLES = {
  plan: `  drperm tenant plan --tenant policies/tenants/                 # every tenant, per object
  drperm tenant plan --tenant policies/tenants/ --out plan.json  # save it for tenant apply --plan
  drperm tenant plan --tenant policies/tenants/ --detailed-exitcode || echo "changes pending"
  drperm tenant plan --tenant policies/tenants/ --prune --json`,
  apply: `  drperm tenant apply --tenant policies/tenants/                # shows the plan, asks
  drperm tenant apply --plan plan.json --yes                    # exactly a saved plan
  drperm tenant apply --tenant policies/tenants/ --prune --yes --backup-dir /var/backups/drperm`,
  verify: `  drperm tenant verify --tenant policies/tenants/
  drperm tenant verify --tenant policies/tenants/ --role policies/roles/azure-site-recovery.yaml --json`,
  drift: `  drperm -q tenant drift --tenant /etc/drperm/tenants/       # cron: silent unless drift (exit 1)
  drperm tenant drift --tenant policies/tenants/ --json`,
  rollback: `  drperm tenant rollback --backup reports/backups/contoso-20260115T103000000Z.json
  drperm tenant rollback --tenant policies/tenants/contoso.yaml --backup reports/backups/contoso-20260115T103000000Z.json --yes`,
};

export const EXAMPLES = `
Examples:
  drperm tenant init contoso --account 'VSPHERE.LOCAL\\asr-contoso' --vm-folder /DC0/vm/contoso
${Object.values(TENANT_EXAMPLES).join('\n')}
  drperm tenant discover --tenant policies/tenants/ --tenant-passwords pw.yaml   # as each tenant
  drperm tenant restore --backup reports/backups/contoso-20260115T103000000Z.json --principal 'VSPHERE.LOCAL\\vc-auditors'
  drperm tenant apply --fleet drperm.yaml --tenant policies/tenants/   # every tenant on its vCenter(s), one confirmation
${EXIT_CODES}`;
