/**
 * The commands, in the order `drperm --help` lists them, each with the module that registers
 * it. A run loads only the module of the command it names: the modules bring the schemas,
 * YAML, clients and report writers along, and loading all of them costs more than the work
 * of a small plan.
 */
import type { Command } from 'commander';

interface CommandModule {
  register(program: Command): void;
}

/* eslint-disable @typescript-eslint/no-require-imports -- loaded when named, not at start-up */
const COMMANDS: ReadonlyArray<{ names: readonly string[]; load: () => CommandModule }> = [
  { names: ['collect'], load: () => require('./collect') as CommandModule },
  { names: ['ls', 'find'], load: () => require('./inventory') as CommandModule },
  { names: ['role'], load: () => require('./role') as CommandModule },
  { names: ['compare'], load: () => require('./compare') as CommandModule },
  { names: ['tenant'], load: () => require('./tenant') as CommandModule },
  { names: ['nsx'], load: () => require('./nsx') as CommandModule },
  { names: ['access'], load: () => require('./access') as CommandModule },
  { names: ['audit'], load: () => require('./audit') as CommandModule },
  { names: ['verify-report'], load: () => require('./verify-report') as CommandModule },
];
/* eslint-enable @typescript-eslint/no-require-imports */

/** The global options that take a value (the next argument unless written --opt=value). */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--debug-dir']);

/**
 * The command `argv` (node, script, arguments) names: its first argument that is not a global
 * option, or the one after `help`. Undefined when there is none (`drperm`, `drperm --help`).
 */
export function commandNamed(argv: readonly string[]): string | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return args[i + 1];
    if (a.startsWith('-')) {
      if (GLOBAL_OPTIONS_WITH_VALUE.has(a)) i++;
      continue;
    }
    if (a !== 'help') return a;
  }
  return undefined;
}

/**
 * Registers the command `argv` names, or every command when it names none that exists (the
 * program's help lists them all, and an unknown name is answered with the nearest ones).
 */
export function registerCommands(program: Command, argv: readonly string[]): void {
  const name = commandNamed(argv);
  const named = COMMANDS.find((c) => name !== undefined && c.names.includes(name));
  for (const c of named ? [named] : COMMANDS) c.load().register(program);
}
