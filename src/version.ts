import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** drperm's version, from package.json (reports and snapshots record it). */
export const VERSION: string = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;
