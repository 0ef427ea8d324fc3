/** Registers every command, in the order `drperm --help` lists them. One line per command module. */
import type { Command } from 'commander';

export function registerCommands(program: Command): void {
  void program;
}
