import { renderPlan, table } from '../../../src/plan/tenant-render';
import { planTenants } from '../../../src/plan/tenant-plan';
import { createLogger } from '../../../src/util/log';
import { ROLES, labInventory, policy, resolve } from './fixtures';
import type { Entity } from '../../../src/model/snapshot';

// eslint-disable-next-line no-control-regex -- asserting their absence
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('control characters in names', () => {
  it('keep a table row on one line and reach no terminal', () => {
    const lines = table(
      ['A', 'B'],
      [
        ['vm\nx', 'esc\x1b[2J\x07'],
        ['ok', 'cr\rhere'],
      ],
    );
    expect(lines).toEqual(['A      B', 'vm\\nx  esc\\x1b[2J\\x07', 'ok     cr\\rhere']);
  });

  it('in a plan: one row per object, whatever the VM is called', () => {
    const evil: Entity = {
      ref: 'vm-66',
      type: 'VirtualMachine',
      name: 'contoso-\nADD /DC0 x\x1b[31m',
      parent: 'group-v20',
      path: '/DC0/vm/contoso/contoso-\nADD /DC0 x\x1b[31m',
    };
    const inventory = labInventory([evil]);
    const { plans } = planTenants({
      tenants: [resolve(policy(), inventory)],
      inventory,
      permissions: [],
      roles: ROLES,
      accounts: new Map(),
      prune: false,
    });
    const lines = renderPlan(plans[0]!);
    expect(lines.filter((l) => l.includes('contoso-\\nADD /DC0 x\\x1b[31m'))).toHaveLength(1);
    for (const l of lines) expect(l).not.toMatch(RAW_CONTROL);
  });

  it('are escaped in every log line', () => {
    const out: string[] = [];
    const log = createLogger({ verbose: true, write: (l) => out.push(l) });
    log.warn('VM a\x1b]0;pwned\x07 has no grant');
    log.info('two\nlines stay two lines');
    expect(out).toEqual([
      'warning: VM a\\x1b]0;pwned\\x07 has no grant',
      'two\nlines stay two lines',
    ]);
  });
});
