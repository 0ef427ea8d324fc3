/**
 * `--debug-dir DIR`: every SOAP call written to files, as govc's -debug does, so that bodies
 * can be read (and attached to a bug report) without flooding the terminal. One request and
 * one response file per call, numbered in call order; passwords, session cookies and tokens
 * are redacted as in every log line. Files are written synchronously so that their numbering
 * and content survive an abort.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors';
import { redact } from '../util/log';
import type { SoapCallObserver, SoapCallRecord } from './soap';

export function debugDirObserver(dir: string): SoapCallObserver {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new InputError(`--debug-dir ${dir} cannot be created: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let n = 0;
  return (record: SoapCallRecord) => {
    const base = join(dir, `${String(++n).padStart(4, '0')}-${safe(record.method)}`);
    writeFileSync(`${base}.req.xml`, redact(record.request), { mode: 0o600 });
    const head = `<!-- HTTP ${record.status ?? '-'} in ${record.ms} ms${record.error ? `: ${redact(record.error)}` : ''} -->\n`;
    writeFileSync(`${base}.res.xml`, head + redact(record.response ?? ''), { mode: 0o600 });
  };
}

function safe(method: string): string {
  return method.replace(/[^A-Za-z0-9_-]/g, '_');
}
