/** Registers every command, in the order `drperm --help` lists them. One line per command module. */
import type { Command } from 'commander';
import * as collect from './collect';
import * as inventory from './inventory';
import * as role from './role';
import * as compare from './compare';
import * as tenant from './tenant';
import * as nsx from './nsx';
import * as access from './access';
import * as audit from './audit';
import * as verifyReport from './verify-report';

export function registerCommands(program: Command): void {
  collect.register(program);
  inventory.register(program);
  role.register(program);
  compare.register(program);
  tenant.register(program);
  nsx.register(program);
  access.register(program);
  audit.register(program);
  verifyReport.register(program);
}
