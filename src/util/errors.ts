/** Exit codes are part of the CLI contract (README "Exit codes"); CI jobs branch on them. */
export const ExitCode = {
  Ok: 0,
  /** Findings, drift or differences were reported. */
  Findings: 1,
  /** Bad usage or bad input (files, flags, policy conflicts the tool refuses to act on). */
  Usage: 2,
  /** Connection, TLS, authentication or server-side failure. */
  Server: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class: every error the CLI prints carries the exit code it maps to and an optional hint. */
export class DrpermError extends Error {
  readonly exitCode: ExitCode;
  readonly hint?: string;
  constructor(message: string, exitCode: ExitCode, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    if (options?.hint !== undefined) this.hint = options.hint;
  }
}

/** Bad flags, bad files, or a request the tool refuses to carry out (exit 2). */
export class InputError extends DrpermError {
  /** Where the problem is, when it comes from a file: `file:line field`. */
  readonly location?: { file?: string; line?: number; field?: string };
  constructor(
    message: string,
    options?: {
      hint?: string;
      cause?: unknown;
      location?: { file?: string; line?: number; field?: string };
    },
  ) {
    super(message, ExitCode.Usage, options);
    if (options?.location) this.location = options.location;
  }
}

/** Network, TLS, login or server failures (exit 3). */
export class ServerError extends DrpermError {
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, ExitCode.Server, options);
  }
}
