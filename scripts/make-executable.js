// The bin entry must be executable for `npx drperm` after a build.
const fs = require('node:fs');
const path = require('node:path');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755);
