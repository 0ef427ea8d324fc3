#!/usr/bin/env node
import type * as Main from './cli/main';
import { VERSION } from './version';

// `drperm --version` answers before the command tree (schemas, YAML, clients) is loaded:
// scripts and monitoring call it often, and it should cost no more than starting node.
// A reader that stops early (`drperm help | head`) closes the pipe: the rest of the output
// is dropped quietly, as Unix tools do, and the command still runs to its end (an apply is
// not cut off half way by its reader going away).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}

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
