#!/usr/bin/env -S node --max-semi-space-size=8
// The young generation is held at 8 MiB per semi-space (Node 20 grows it to 16): a collection
// of 45,000 VMs peaks at about 130 MiB instead of 150, at no measured cost in time
// (README, Performance of collect). A V8 heap size can only be set when node starts, hence
// the interpreter line (env -S: coreutils 8.30+, and npm's shims on Windows).
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
