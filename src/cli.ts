#!/usr/bin/env node
import type * as Main from './cli/main';
import { VERSION } from './version';

// `drperm --version` answers before the command tree (schemas, YAML, clients) is loaded:
// scripts and monitoring call it often, and it should cost no more than starting node.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { main } = require('./cli/main') as typeof Main;
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`drperm: ${String(err)}\n`);
      process.exitCode = 3;
    },
  );
}
