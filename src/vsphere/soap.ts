/**
 * One SOAP call: envelope over the transport, the session cookie, faults turned into typed
 * errors, retries for read-only calls, and --verbose logging with secrets redacted.
 */
import { ServerError } from '../util/errors';
import { describeAnswer, looksLikeSoap } from '../util/peer';
import { redact, registerSecret, type Logger } from '../util/log';
import { soapFault, type FaultRecord, type ResponseDecoder } from './decode';
import { faultFromRecord } from './faults';
import type { SoapRequest } from './requests';
import {
  backoffDelayMs,
  DEFAULT_RETRY,
  shouldRetry,
  type AttemptFailure,
  type RetryPolicy,
} from '../net/retry';
import { NetworkError, type HttpResponse, type HttpsTransport } from './transport';
import {
  documentFrame,
  FrameDriver,
  scanChunks,
  scanString,
  XmlDecodeError,
  type Decoder,
  type Frame,
} from './xml-decode';
import { XmlSyntaxError } from './xml-scan';

export const SESSION_COOKIE = 'vmware_soap_session';

/** One finished SOAP exchange, for observers (src/vsphere/call-log.ts: --debug-dir). */
export interface SoapCallRecord {
  method: string;
  /** The request as sent, and the response as received (absent when none came). */
  request: string;
  response?: string;
  status?: number;
  ms: number;
  error?: string;
}

/** Sees every call; bodies reach observers only, never the terminal (--verbose logs one line). */
export type SoapCallObserver = (record: SoapCallRecord) => void;

export interface SoapConnectionOptions {
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  observer?: SoapCallObserver;
}

export class SoapConnection {
  /** `vmware_soap_session="…"`, sent back verbatim on every call. */
  private cookie: string | undefined;
  /** urn:vim25/<apiVersion> once the server's version is known. */
  private soapAction = 'urn:vim25/6.5';
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly transport: HttpsTransport,
    private readonly log: Logger,
    options: SoapConnectionOptions = {},
  ) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.observer = options.observer;
  }

  private readonly observer: SoapCallObserver | undefined;

  setApiVersion(version: string): void {
    if (/^[0-9.]+$/.test(version)) this.soapAction = `urn:vim25/${version}`;
  }

  get hasSession(): boolean {
    return this.cookie !== undefined;
  }

  clearSession(): void {
    this.cookie = undefined;
  }

  /**
   * Calls the method; `returns` decodes its `<MethodResponse>` element while the body is
   * scanned. Faults throw VimFault subclasses.
   */
  async call<T>(req: SoapRequest, returns: ResponseDecoder<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let failure: AttemptFailure;
      let error: Error;
      try {
        const res = await this.send(req);
        if (res.status === 200 || res.status === 500)
          return this.readResponse(req.method, res, returns);
        failure = { kind: 'http', status: res.status };
        error = httpError(req.method, res, this.transport.url);
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        failure = { kind: 'network', code: err.code };
        error = err;
      }
      if (!shouldRetry(failure, req.readOnly, attempt, this.retry)) throw error;
      const delay = backoffDelayMs(attempt, this.retry);
      this.log.debug(
        `soap ${req.method}: ${error.message}; retry ${attempt} of ${this.retry.maxAttempts - 1} in ${delay} ms`,
      );
      await this.sleep(delay);
    }
  }

  private async send(req: SoapRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      'Content-Type': 'text/xml; charset=utf-8',
      SOAPAction: this.soapAction,
    };
    if (this.cookie) headers.Cookie = this.cookie;
    // --verbose: one line per call; bodies go only to an observer (--debug-dir files).
    const started = Date.now();
    try {
      const res = await this.transport.post(req.body, headers, req.method);
      // The session key works as the session cookie: never print it, wherever it comes back.
      if (LOGIN_METHODS.has(req.method)) registerSecret(sessionKeyOf(res.body));
      this.keepCookie(res);
      const ms = Date.now() - started;
      if (this.log.verbose)
        this.log.debug(
          `soap ${req.method}: HTTP ${res.status} in ${ms} ms, ${res.body.length} bytes`,
        );
      this.observer?.({
        method: req.method,
        request: req.body,
        response: res.body,
        status: res.status,
        ms,
      });
      return res;
    } catch (err) {
      const ms = Date.now() - started;
      const error = (err as Error).message;
      this.log.debug(redact(`soap ${req.method}: failed after ${ms} ms: ${error}`));
      this.observer?.({ method: req.method, request: req.body, ms, error });
      throw err;
    }
  }

  private keepCookie(res: HttpResponse): void {
    for (const line of res.headers['set-cookie'] ?? []) {
      const pair = line.split(';')[0]?.trim() ?? '';
      if (!pair.startsWith(`${SESSION_COOKIE}=`)) continue;
      const value = pair.slice(SESSION_COOKIE.length + 1);
      registerSecret(value);
      registerSecret(value.replace(/^"|"$/g, ''));
      this.cookie = pair;
    }
  }

  private readResponse<T>(method: string, res: HttpResponse, returns: ResponseDecoder<T>): T {
    let outcome: SoapOutcome<T>;
    try {
      outcome = decodeSoapResponse(method, res.body, returns);
    } catch (err) {
      // A 200/500 answer in HTML or JSON is another server at this URL: say what it looks like.
      if (!looksLikeSoap(res)) {
        throw new ServerError(
          `${method}: ${this.transport.url.host} is not a vCenter SDK endpoint: it answered HTTP ${res.status} with ${describeAnswer(res)}`,
          { hint: `--url names vCenter's SDK, e.g. https://vcenter.example.com/sdk` },
        );
      }
      throw notSoap(method, res.status, err);
    }
    return resultOf(method, outcome);
  }
}

/** What a SOAP response held: the method's result, a fault, or neither. */
export interface SoapOutcome<T> {
  fault?: FaultRecord;
  /** Set when the `<MethodResponse>` element was there. */
  result?: { value: T };
}

/** Envelope > Body > (Fault | MethodResponse); the Header and anything else is skipped. */
function envelopeFrame<T>(method: string, returns: Decoder<T>, out: SoapOutcome<T>): Frame {
  const responseName = `${method}Response`;
  const body: Decoder<void> = () => ({
    child: (name, attrs) => {
      if (name === 'Fault' && out.fault === undefined)
        return soapFault(attrs, (f) => (out.fault = f));
      if (name === responseName && out.result === undefined)
        return returns(attrs, (value) => (out.result = { value }));
      return undefined;
    },
    text: () => undefined,
    end: () => undefined,
  });
  const envelope: Decoder<void> = () => ({
    child: (name, attrs) => (name === 'Body' ? body(attrs, () => undefined) : undefined),
    text: () => undefined,
    end: () => undefined,
  });
  return documentFrame('Envelope', envelope, () => undefined);
}

/** Decodes a complete response body (as the transport hands it over today). */
export function decodeSoapResponse<T>(
  method: string,
  body: string,
  returns: ResponseDecoder<T>,
): SoapOutcome<T> {
  const out: SoapOutcome<T> = {};
  scanString(new FrameDriver(envelopeFrame(method, returns, out)), body);
  return out;
}

/**
 * Decodes a response body as it arrives, chunk by chunk (a Readable or any async iterable of
 * Buffers or strings): nothing but the current object is held.
 */
export async function decodeSoapStream<T>(
  method: string,
  body: AsyncIterable<string | Uint8Array>,
  returns: ResponseDecoder<T>,
): Promise<SoapOutcome<T>> {
  const out: SoapOutcome<T> = {};
  await scanChunks(new FrameDriver(envelopeFrame(method, returns, out)), body);
  return out;
}

/** The result, or the fault as a typed error. */
export function resultOf<T>(method: string, outcome: SoapOutcome<T>): T {
  if (outcome.fault) throw faultFromRecord(method, outcome.fault);
  if (!outcome.result) {
    throw new ServerError(`${method}: the server's answer has no ${method}Response`);
  }
  return outcome.result.value;
}

/** A body that cannot be read as the SOAP answer expected. */
export function notSoap(method: string, status: number, err: unknown): Error {
  if (err instanceof XmlDecodeError) {
    return new ServerError(
      `${method}: unexpected answer from the server (HTTP ${status}): ${err.message}`,
    );
  }
  if (!(err instanceof XmlSyntaxError)) return err as Error;
  return new ServerError(
    `${method}: the server sent an answer that is not SOAP (HTTP ${status}): not well-formed XML: ${err.message}`,
    {
      hint: 'check that --url points at the vCenter SDK endpoint, e.g. https://vcenter.example.com/sdk',
    },
  );
}

/** SessionManager methods whose answer is a UserSession (vSphere API reference, SessionManager). */
const LOGIN_METHODS = new Set([
  'Login',
  'LoginByToken',
  'LoginExtensionByCertificate',
  'CloneSession',
  'ImpersonateUser',
]);

/** UserSession.key of a login answer: the first `<key>` of its `<returnval>`. */
export function sessionKeyOf(body: string): string | undefined {
  return /<returnval\b[^>]*>[\s\S]*?<key>([^<]+)<\/key>/.exec(body)?.[1]?.trim();
}

function httpError(method: string, res: HttpResponse, url: URL): ServerError {
  // Through a proxy a busy vCenter answers 502-504 in HTML; anything else that is not SOAP is
  // another server: say what it looks like (NSX Manager, a web page, ...).
  if (![502, 503, 504].includes(res.status) && !looksLikeSoap(res)) {
    return new ServerError(
      `${method}: ${url.host} is not a vCenter SDK endpoint: it answered HTTP ${res.status} with ${describeAnswer(res)}`,
      {
        hint: `--url names vCenter's SDK, e.g. https://vcenter.example.com/sdk (NSX Manager goes in --nsx-url)`,
      },
    );
  }
  const hint =
    res.status === 404
      ? `check the URL path; the vSphere API is at https://${url.host}/sdk`
      : res.status === 503
        ? 'vCenter is busy or starting; try again in a few minutes'
        : undefined;
  return new ServerError(
    `${method}: HTTP ${res.status} from ${url.host}`,
    hint === undefined ? undefined : { hint },
  );
}
