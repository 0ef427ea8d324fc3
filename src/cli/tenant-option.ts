/**
 * The option naming tenant policy files. The `tenant` commands document `--tenant`, the
 * audits `--tenants`; each also accepts the other spelling (hidden), so that a partner moving
 * between `drperm tenant apply` and `drperm audit` is not stopped by one letter.
 */
import { Option, type Command } from 'commander';
import { InputError } from '../util/errors';

export interface TenantFileFlags {
  tenant?: string[];
  tenants?: string[];
}

export function addTenantFilesOption(
  cmd: Command,
  spelling: 'tenant' | 'tenants',
  description: string,
): Command {
  const shown =
    spelling === 'tenant' ? '-t, --tenant <fileOrDir...>' : '-t, --tenants <fileOrDir...>';
  const hidden = spelling === 'tenant' ? '--tenants <fileOrDir...>' : '--tenant <fileOrDir...>';
  return cmd.addOption(new Option(shown, description)).addOption(new Option(hidden).hideHelp());
}

/** The files and directories given with either spelling, in order; at least one. */
export function tenantFiles(opts: TenantFileFlags): string[] {
  const files = [...(opts.tenant ?? []), ...(opts.tenants ?? [])];
  if (files.length === 0) {
    throw new InputError('no tenant policy given', {
      hint: 'name tenant files or directories with --tenant (or --tenants), e.g. --tenant policies/tenants/',
    });
  }
  return files;
}
