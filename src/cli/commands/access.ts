/**
 * `drperm access --principal NAME`: every object the principal reaches (any privilege
 * beyond System.Anonymous), with its privileges and the permissions that grant them,
 * resolved the way vCenter documents it. Offline from a snapshot or live.
 */
import type { Command } from 'commander';
import type { EffectiveAccessEntry } from '../../audit/types';
import { accessOf } from '../../ops/access';
import { loadMembership } from '../../ops/audit';
import { addConnectionOptions, type ConnectionFlags } from '../connection';
import { makeContext, printJson, type GlobalOptions } from '../context';
import { run } from '../run';
import { obtainSnapshot } from '../snapshot-source';

interface AccessFlags extends GlobalOptions, ConnectionFlags {
  principal: string;
  group?: boolean;
  membership?: string;
  snapshot?: string;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  # what the contoso configuration server's account can see, from a snapshot
  $ drperm access --principal 'VSPHERE.LOCAL\\asr-contoso' --snapshot reports/vc01.json

  # the same, live, counting the groups the account belongs to
  $ drperm access --principal 'VSPHERE.LOCAL\\asr-contoso' --membership groups.yaml

  # a group account, as JSON for scripts
  $ drperm access --principal 'VSPHERE.LOCAL\\contoso-dr' --group --snapshot vc01.json --json

--membership FILE is YAML mapping each group to its members, as vCenter writes principals:
  'VSPHERE.LOCAL\\dr-operators': ['VSPHERE.LOCAL\\asr-contoso']
Group membership is not in the vSphere API: without the file, group permissions are not counted.
Principal names compare case-insensitively; user@domain means DOMAIN\\user.`;

export function register(program: Command): void {
  addConnectionOptions(
    program
      .command('access')
      .description(
        'list every object a principal reaches, with its privileges and the granting permissions',
      )
      .requiredOption(
        '--principal <name>',
        "user or group as vCenter writes it, e.g. 'VSPHERE.LOCAL\\asr-contoso'",
      )
      .option('--group', 'the principal is a group')
      .option(
        '--membership <file>',
        'YAML: group name -> member names (groups are expanded transitively)',
      )
      .option('--snapshot <file>', 'read a snapshot from `drperm collect` instead of connecting')
      .option('--json', 'print a JSON array of { entity, privileges, grantedBy } on stdout'),
  )
    .addHelpText('after', EXAMPLES)
    .action(
      run(async (_opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<AccessFlags>();
        const ctx = makeContext(opts);
        const membership = await loadMembership(opts.membership);
        const { snapshot } = await obtainSnapshot(opts, ctx);
        const principal = { name: opts.principal, group: opts.group === true };
        const entries = accessOf(snapshot, principal, membership, ctx.emit);
        if (opts.json) printJson(ctx, entries);
        else ctx.out(renderAccess(opts.principal, entries));
      }),
    );
}

export function renderAccess(principal: string, entries: readonly EffectiveAccessEntry[]): string {
  if (entries.length === 0) return `${principal} reaches no object.`;
  const lines = [
    `${principal} reaches ${entries.length} object${entries.length === 1 ? '' : 's'}:`,
  ];
  for (const e of entries) {
    lines.push(
      `  ${e.entity.path}  (${e.entity.type} ${e.entity.moref}), ${e.privileges.length} privileges`,
    );
    for (const g of e.grantedBy) {
      lines.push(
        `      granted by ${g.roleName} for ${g.principal}${g.group ? ' (group)' : ''} on ${g.entity.path}${g.propagate ? ', propagating' : ''}`,
      );
    }
  }
  return lines.join('\n');
}
