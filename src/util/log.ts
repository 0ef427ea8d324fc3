/**
 * Diagnostics go to stderr so that stdout stays clean for data (--json).
 * Every line passes through redact(): secrets registered here (passwords, session
 * cookies, XSRF tokens) never reach a terminal or a log file, whatever the caller prints.
 */
const secrets = new Set<string>();

/** Registers a value that must never be printed. Short values are ignored to avoid mangling output. */
export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= 3) secrets.add(value);
}

/** Removes registered secrets and well-known secret-bearing SOAP/HTTP fields from text. */
export function redact(text: string): string {
  let out = text
    .replace(/<password>[\s\S]*?<\/password>/g, '<password>***</password>')
    .replace(/(vmware_soap_session=)("?)[^";\s]+\2/g, '$1"***"')
    .replace(/(JSESSIONID=)[^;\s]+/g, '$1***')
    .replace(/(X-XSRF-TOKEN:\s*)\S+/gi, '$1***')
    .replace(/(j_password=)[^&\s]+/g, '$1***')
    .replace(/(Authorization:\s*Basic\s+)\S+/gi, '$1***');
  for (const s of secrets) out = out.split(s).join('***');
  for (const s of secrets) {
    const xmlEscaped = escapeForRedaction(s);
    if (xmlEscaped !== s) out = out.split(xmlEscaped).join('***');
  }
  return out;
}

function escapeForRedaction(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
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
  const emit = (line: string) => write(redact(line));
  return {
    verbose: options.verbose === true,
    debug: (m) => {
      if (options.verbose) emit(`debug: ${m}`);
    },
    info: (m) => {
      if (!options.quiet) emit(m);
    },
    warn: (m) => emit(`warning: ${m}`),
    error: (m) => emit(`error: ${m}`),
  };
}

/** A logger that prints nothing: for library callers and tests that do not care. */
export const silentLogger: Logger = {
  verbose: false,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
