#!/usr/bin/env node
import { main } from './cli/main';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`drperm: ${String(err)}\n`);
    process.exitCode = 3;
  },
);
