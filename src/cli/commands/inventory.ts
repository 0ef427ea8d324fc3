/**
 * `drperm ls [PATH]` and `drperm find [PATH]`: the inventory as govc shows it, so that a
 * partner writing a tenant file finds paths without digging through a snapshot. Live (one
 * collection) or offline from `--snapshot`; `--json` for scripts.
 */
import type { Command } from 'commander';
import { parseObjectKind, OBJECT_KINDS, type ObjectDetail } from '../../model/inventory-query';
import { findInventory, listInventory, type ListOptions } from '../../ops/inventory';
import { table } from '../../plan/tenant-render';
import { addConnectionOptions, type ConnectionFlags } from '../connection';
import { makeContext, printJson, type CommandContext, type GlobalOptions } from '../context';
import { obtainSnapshot } from '../snapshot-source';
import { run } from '../run';

interface InventoryFlags extends GlobalOptions, ConnectionFlags {
  snapshot?: string;
  long?: boolean;
  account?: string;
  group?: boolean;
  json?: boolean;
  name?: string;
  type?: string;
}

const LS_EXAMPLES = `
Examples:
  $ drperm ls                                   # the datacenters
  $ drperm ls /DC0/vm                           # a VM folder's VMs and subfolders
  $ drperm ls -l /DC0/vm/contoso --account 'VSPHERE.LOCAL\\asr-contoso'
  $ drperm ls /DC0/host/DC0_C0 --snapshot reports/vc01.json --json

-l adds PERMS (permissions defined on the object, any principal) and, with --account, GRANT:
the account's own permission on the object (role, and "propagating" when it propagates).
Exit codes: 0 listed; 2 the path does not exist (the nearest paths are named); 3 server error.`;

const FIND_EXAMPLES = `
Examples:
  $ drperm find --name 'contoso-*' --type vm    # every contoso VM, anywhere
  $ drperm find /DC0/host --type cluster        # the clusters of DC0
  $ drperm find /DC0/network --type network --snapshot reports/vc01.json
  $ drperm find -l --type vm --account 'VSPHERE.LOCAL\\asr-contoso' --json

--name takes the globs tenant files use (* and ?, case-sensitive); --type one of
${Object.keys(OBJECT_KINDS).join(', ')}.
Exit codes: 0 searched (also when nothing matched); 2 bad path or type; 3 server error.`;

function withInventoryOptions(cmd: Command): Command {
  return addConnectionOptions(
    cmd
      .option('-l, --long', "also show each object's permission count (and the account's grant)")
      .option(
        '--account <principal>',
        "with -l: show this user's (or group's) own grant on each object",
      )
      .option('--group', '--account is a group')
      .option('--snapshot <file>', 'read a snapshot from `drperm collect` instead of connecting')
      .option('--json', 'print the objects as a JSON array on stdout'),
  );
}

export function register(program: Command): void {
  withInventoryOptions(
    program
      .command('ls')
      .argument('[path]', 'inventory path, govc style (default /)')
      .description('list the children of an inventory folder (or any object) with their types'),
  )
    .addHelpText('after', LS_EXAMPLES)
    .action(
      run(async (path: string | undefined, _o: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<InventoryFlags>();
        const ctx = makeContext(opts);
        const { snapshot } = await obtainSnapshot(opts, ctx);
        render(ctx, opts, listInventory(snapshot, path, listOptions(opts)));
      }),
    );

  withInventoryOptions(
    program
      .command('find')
      .argument('[path]', 'where to search, govc style (default /)')
      .description('find objects by name glob and type below an inventory path')
      .option('--name <glob>', "name glob, e.g. 'contoso-*' (* and ?, case-sensitive)")
      .option('--type <kind>', `object kind: ${Object.keys(OBJECT_KINDS).join(', ')}`),
  )
    .addHelpText('after', FIND_EXAMPLES)
    .action(
      run(async (path: string | undefined, _o: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<InventoryFlags>();
        const ctx = makeContext(opts);
        const kind = opts.type === undefined ? undefined : parseObjectKind(opts.type);
        const { snapshot } = await obtainSnapshot(opts, ctx);
        const objects = findInventory(
          snapshot,
          {
            ...(path !== undefined ? { path } : {}),
            ...(opts.name !== undefined ? { name: opts.name } : {}),
            ...(kind !== undefined ? { kind } : {}),
          },
          listOptions(opts),
        );
        render(ctx, opts, objects);
      }),
    );
}

function listOptions(opts: InventoryFlags): ListOptions {
  return {
    long: opts.long === true,
    ...(opts.account !== undefined
      ? { account: { principal: opts.account, group: opts.group === true } }
      : {}),
  };
}

function render(ctx: CommandContext, opts: InventoryFlags, objects: ObjectDetail[]): void {
  if (opts.json) return printJson(ctx, objects);
  if (objects.length === 0) return;
  const grant = (o: ObjectDetail) =>
    o.account ? `${o.account.roleName}${o.account.propagate ? ' (propagating)' : ''}` : '-';
  const lines =
    opts.long || opts.account !== undefined
      ? table(
          ['PATH', 'TYPE', 'PERMS', ...(opts.account ? ['GRANT'] : [])],
          objects.map((o) => [
            o.path,
            o.type,
            String(o.permissions),
            ...(opts.account ? [grant(o)] : []),
          ]),
        )
      : table(
          ['PATH', 'TYPE'],
          objects.map((o) => [o.path, o.type]),
        );
  ctx.out(lines.join('\n'));
}
