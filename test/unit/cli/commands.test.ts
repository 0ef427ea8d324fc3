/** Which command a run names: only that command's module is loaded (src/cli/commands/index.ts). */
import { Command } from 'commander';
import { commandNamed, registerCommands } from '../../../src/cli/commands';

const argv = (...args: string[]) => ['node', 'drperm', ...args];

describe('commandNamed', () => {
  it.each([
    [['tenant', 'plan', '--tenant', 'x.yaml'], 'tenant'],
    [['-v', '-q', 'audit'], 'audit'],
    [['-vq', 'ls', '/DC0'], 'ls'],
    [['--debug-dir', 'audit', 'collect'], 'collect'],
    [['--debug-dir=dir', 'role', 'plan'], 'role'],
    [['help', 'tenant'], 'tenant'],
    [['--help'], undefined],
    [['help'], undefined],
    [[], undefined],
  ])('drperm %j names %j', (args, name) => {
    expect(commandNamed(argv(...args))).toBe(name);
  });
});

describe('registerCommands', () => {
  const names = (p: Command) => p.commands.map((c) => c.name());

  it('registers only the command a run names', () => {
    const program = new Command('drperm');
    registerCommands(program, argv('tenant', 'plan'));
    expect(names(program)).toEqual(['tenant']);
  });

  it('registers the module of ls and find together', () => {
    const program = new Command('drperm');
    registerCommands(program, argv('find', '/DC0'));
    expect(names(program)).toEqual(['ls', 'find']);
  });

  it('registers every command, in help order, when none or an unknown one is named', () => {
    const all = [
      'collect',
      'ls',
      'find',
      'role',
      'compare',
      'tenant',
      'nsx',
      'access',
      'audit',
      'verify-report',
    ];
    for (const args of [[], ['--help'], ['audt']]) {
      const program = new Command('drperm');
      registerCommands(program, argv(...args));
      expect(names(program)).toEqual(all);
    }
  });
});
