/**
 * What an audit's verdict rests on, for the report's evidence block: the SHA-256 of each
 * input file, and the command line with secrets removed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { InputDigest } from '../audit/report-model';
import { InputError } from '../util/errors';

export async function digestFiles(
  inputs: ReadonlyArray<Omit<InputDigest, 'sha256'>>,
): Promise<InputDigest[]> {
  return Promise.all(
    inputs.map(async (input) => {
      let bytes: Buffer;
      try {
        bytes = await readFile(input.path);
      } catch (err) {
        throw new InputError(`cannot read ${input.kind} ${input.path}: ${(err as Error).message}`, {
          cause: err,
          location: { file: input.path },
        });
      }
      return { ...input, sha256: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
}

// Options whose value is a secret (drperm takes none on the command line, but a user may
// still type one, or a future flag may), and credentials in a URL (govc style user:pass@host).
const SECRET_OPTION = /^--?[\w-]*(pass(word|phrase)?|secret|token|credential)[\w-]*$/i;
const SECRET_OPTION_WITH_VALUE =
  /^(--?[\w-]*(?:pass(?:word|phrase)?|secret|token|credential)[\w-]*)=.*$/i;
const URL_CREDENTIALS = /^([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*)@/i;
const REDACTED = '***';

/** Switches that take no value although their names look like secret options. */
const FLAGS_WITHOUT_VALUE = new Set(['--password-stdin']);

function quote(arg: string): string {
  return /^[\w@%+=:,./*-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command line as a user could re-type it, secrets replaced by ***. */
export function commandLineWithoutSecrets(args: readonly string[], program = 'drperm'): string {
  const out: string[] = [program];
  for (let i = 0; i < args.length; i++) {
    let arg = args[i]!;
    if (SECRET_OPTION_WITH_VALUE.test(arg)) {
      arg = arg.replace(SECRET_OPTION_WITH_VALUE, `$1=${REDACTED}`);
    } else if (SECRET_OPTION.test(arg) && !FLAGS_WITHOUT_VALUE.has(arg) && i + 1 < args.length) {
      out.push(quote(arg));
      out.push(REDACTED);
      i++;
      continue;
    }
    arg = arg.replace(URL_CREDENTIALS, (_m, scheme: string, userinfo: string) => {
      const user = userinfo.split(':')[0] ?? '';
      return userinfo.includes(':') ? `${scheme}${user}:${REDACTED}@` : `${scheme}${user}@`;
    });
    out.push(quote(arg));
  }
  return out.join(' ');
}
