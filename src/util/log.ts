/**
 * Diagnostics go to stderr so that stdout stays clean for data (--json).
 * Every line passes through redact(): secrets registered here (passwords, session
 * cookies, XSRF tokens) never reach a terminal or a log file, whatever the caller prints.
 */
import { escapeControl } from './escape';

/** Registered secrets, each with a pattern that also finds it written with character references. */
const secrets = new Map<string, RegExp>();

/**
 * Registers a value that must never be printed. Values shorter than 3 characters are not
 * registered: they would blank out ordinary words everywhere, and are no real password.
 */
export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= 3 && !secrets.has(value)) {
    secrets.set(value, secretPattern(value));
  }
}

const NAMED_ENTITY: Record<string, string> = {
  '&': 'amp',
  '<': 'lt',
  '>': 'gt',
  '"': 'quot',
  "'": 'apos',
};

/**
 * `&`, or `&` itself escaped any number of times (`&amp;`, `&amp;amp;`, `&#38;amp;`): a
 * reference escaped again starts with one of these. A server that echoes a request inside
 * a fault escapes it a second time.
 */
const AMPERSAND_AT_ANY_DEPTH = '&(?:amp;|#0*38;|#[xX]0*26;)*';

/**
 * The secret as written plainly or with any character as an XML/HTML character reference
 * (`&amp;`, `&#38;`, `&#x26;`), at any depth of escaping (`&amp;amp;`, `&amp;#38;`):
 * servers echo values back in all these forms (Go's encoder writes `&#34;`), and an error or
 * a log line must not leak the password that way.
 */
function secretPattern(secret: string): RegExp {
  const parts = [...secret].map((ch) => {
    const cp = ch.codePointAt(0)!;
    const hex = cp.toString(16).replace(/[a-f]/g, (d) => `[${d}${d.toUpperCase()}]`);
    const refs = [`#0*${cp};`, `#[xX]0*${hex};`];
    const named = NAMED_ENTITY[ch];
    if (named) refs.push(`${named};`);
    const literal = ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
    return `(?:${literal}|${AMPERSAND_AT_ANY_DEPTH}(?:${refs.join('|')}))`;
  });
  return new RegExp(parts.join(''), 'g');
}

/** `<password>…</password>` written as escaped text: `&lt;` / `&gt;` at any depth. */
const ESCAPED_PASSWORD_ELEMENT =
  /(&(?:amp;)*lt;)((?:[\w.-]+:)?password)\b(?:(?!&(?:amp;)*gt;)[\s\S])*?(&(?:amp;)*gt;)[\s\S]*?\1\/\2\3/g;

/** Removes registered secrets and well-known secret-bearing SOAP/HTTP fields from text. */
export function redact(text: string): string {
  let out = text
    .replace(/<((?:[\w.-]+:)?password)\b[^>]*>[\s\S]*?<\/\1>/g, '<$1>***</$1>')
    // The same element escaped once or more (`&lt;password&gt;`, `&amp;lt;password&amp;gt;`).
    .replace(ESCAPED_PASSWORD_ELEMENT, '$1$2$3***$1/$2$3')
    .replace(/(vmware_soap_session=)("?)[^";\s]+\2/g, '$1"***"')
    .replace(/(JSESSIONID=)[^;\s]+/g, '$1***')
    .replace(/(X-XSRF-TOKEN:\s*)\S+/gi, '$1***')
    .replace(/(j_password=)[^&\s]+/g, '$1***')
    .replace(/(Authorization:\s*Basic\s+)\S+/gi, '$1***');
  for (const pattern of secrets.values()) out = out.replace(pattern, '***');
  return out;
}

export interface Logger {
  /** Shown with --verbose only. */
  debug(message: string): void;
  /** Progress and notes for people; shown unless --quiet. */
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  readonly verbose: boolean;
}

export interface LoggerOptions {
  verbose?: boolean;
  quiet?: boolean;
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  // Names in messages may hold control characters: escaped, so none reaches the terminal.
  const emit = (line: string) => write(escapeControl(redact(line), { keepLayout: true }));
  return {
    verbose: options.verbose === true,
    debug: (m) => {
      if (options.verbose) emit(`debug: ${m}`);
    },
    info: (m) => {
      if (!options.quiet) emit(m);
    },
    // -q: a run that succeeds prints nothing (cron mails any output); its warnings are kept
    // and shown only if the run fails (flushDeferredWarnings, called by main).
    warn: (m) =>
      options.quiet ? deferred.push({ line: `warning: ${m}`, emit }) : emit(`warning: ${m}`),
    error: (m) => emit(`error: ${m}`),
  };
}

const deferred: Array<{ line: string; emit: (line: string) => void }> = [];

/** Prints the warnings -q held back (on failure); drops them on success. */
export function flushDeferredWarnings(failed: boolean): void {
  for (const d of deferred.splice(0)) if (failed) d.emit(d.line);
}

/** A logger that prints nothing: for library callers and tests that do not care. */
export const silentLogger: Logger = {
  verbose: false,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
