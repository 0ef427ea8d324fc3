/**
 * What the demos share: the output folder's time stamp, step headings, and running drperm as
 * a user would (the command shown, the exit code checked).
 */
'use strict';
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');

/** A UTC time for folder names: 2026-12-02T01-01-45Z. */
const stamp = () =>
  new Date()
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z');

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function step(title) {
  process.stdout.write(`\n${bold(`== ${title}`)}\n`);
}

/**
 * Runs drperm as a user would, shows the command, and checks the exit code. Asynchronous:
 * test servers living in the demo's process must keep answering meanwhile.
 */
async function drperm(args, env, expectedCodes = [0]) {
  process.stdout.write(`$ drperm ${args.join(' ')}\n`);
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (!expectedCodes.includes(code)) {
    throw new Error(`drperm ${args[0]} exited ${code}, expected ${expectedCodes.join(' or ')}`);
  }
}

module.exports = { ROOT, CLI, stamp, bold, step, drperm };
