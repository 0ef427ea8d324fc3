// Removes a build output directory, so nothing stale (e.g. a moved module) ships or runs.
const fs = require('node:fs');
const path = require('node:path');
const dir = process.argv[2];
if (dir === undefined || !/^[\w-]+$/.test(dir)) throw new Error('usage: clean.js <build dir>');
fs.rmSync(path.join(__dirname, '..', dir), { recursive: true, force: true });
