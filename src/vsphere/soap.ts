/**
 * One SOAP call: envelope over the transport, the answer decoded as it streams in, the session
 * cookie, faults turned into typed errors, retries for read-only calls, and --verbose logging
 * with secrets redacted.
 */
import type { IncomingHttpHeaders } from 'node:http';
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
import { ResponseCapture } from './response-body';
import { NetworkError, type HttpResponse, type HttpsTransport } from './transport';
import {
  documentFrame,
  FrameDriver,
  PieceScanner,
  scanChunks,
  XmlDecodeError,
  type Decoder,
  type Frame,
} from './xml-decode';
import { XmlSyntaxError, type XmlSink } from './xml-scan';

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
   * Calls the method; `returns` decodes its `<MethodResponse>` element as the body streams
   * in (memory: what the decoder keeps, not the response). Faults throw VimFault subclasses.
   * A read-only call is retried after a network failure or a busy answer, but not once its
   * body has begun to reach the decoder: a streaming decoder may have handed values on.
   */
  async call<T>(req: SoapRequest, returns: ResponseDecoder<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const exchange: Exchange = { decoding: false };
      let failure: AttemptFailure;
      let error: Error;
      try {
        return await this.attempt(req, returns, exchange);
      } catch (err) {
        if (err instanceof NetworkError) {
          if (exchange.decoding) throw err;
          failure = { kind: 'network', code: err.code };
        } else if (exchange.status !== undefined && !isSoapStatus(exchange.status)) {
          failure = { kind: 'http', status: exchange.status };
        } else {
          throw err;
        }
        error = err as Error;
      }
      if (!shouldRetry(failure, req.readOnly, attempt, this.retry)) throw error;
      const delay = backoffDelayMs(attempt, this.retry);
      this.log.debug(
        `soap ${req.method}: ${error.message}; retry ${attempt} of ${this.retry.maxAttempts - 1} in ${delay} ms`,
      );
      await this.sleep(delay);
    }
  }

  /** One exchange: sent, the body decoded as it arrives, logged, and shown to the observer. */
  private async attempt<T>(
    req: SoapRequest,
    returns: ResponseDecoder<T>,
    exchange: Exchange,
  ): Promise<T> {
    const headers: Record<string, string> = {
      'Content-Type': 'text/xml; charset=utf-8',
      SOAPAction: this.soapAction,
    };
    if (this.cookie) headers.Cookie = this.cookie;
    const started = Date.now();
    const login = LOGIN_METHODS.has(req.method);
    const body = new ResponseCapture(login || this.observer !== undefined);
    let observed = false;
    // --verbose: one line per call; bodies go only to an observer (--debug-dir files).
    const observe = (error?: string): void => {
      observed = true;
      const ms = Date.now() - started;
      if (error !== undefined) {
        this.log.debug(redact(`soap ${req.method}: failed after ${ms} ms: ${error}`));
      } else if (this.log.verbose) {
        this.log.debug(
          `soap ${req.method}: HTTP ${exchange.status} in ${ms} ms, ${body.bytes} bytes`,
        );
      }
      if (!this.observer) return;
      const record: SoapCallRecord = { method: req.method, request: req.body, ms };
      const response = body.whole();
      if (response !== undefined) record.response = response;
      if (exchange.status !== undefined) record.status = exchange.status;
      if (error !== undefined) record.error = error;
      this.observer(record);
    };
    try {
      let answer: SoapAnswer<T> | undefined;
      await this.transport.post(req.body, headers, req.method, (head) => {
        exchange.status = head.status;
        exchange.headers = head.headers;
        this.keepCookie(head.headers);
        if (isSoapStatus(head.status)) answer = new SoapAnswer(req.method, returns);
        return {
          data: (chunk) => {
            body.take(chunk);
            if (answer?.readable !== true) return !body.headFull;
            exchange.decoding = true;
            answer.write(chunk);
            // An answer that cannot be decoded: only its head is needed, to say what it is.
            return answer.readable || !body.headFull;
          },
        };
      });
      const status = exchange.status ?? 0;
      const described = () => ({ status, headers: exchange.headers ?? {}, body: body.head() });
      if (answer === undefined) {
        observe();
        throw httpError(req.method, described(), this.transport.url);
      }
      const outcome = answer.end();
      if (outcome instanceof Error) {
        // A 200/500 answer in HTML or JSON is another server at this URL: say what it looks like.
        if (!looksLikeSoap(described())) {
          throw new ServerError(
            `${req.method}: ${this.transport.url.host} is not a vCenter SDK endpoint: it answered HTTP ${status} with ${describeAnswer(described())}`,
            { hint: `--url names vCenter's SDK, e.g. https://vcenter.example.com/sdk` },
          );
        }
        throw notSoap(req.method, status, outcome);
      }
      // The session key works as the session cookie: never print it, wherever it comes back.
      if (login) registerSecret(sessionKeyOf(body.whole() ?? ''));
      observe();
      return resultOf(req.method, outcome);
    } catch (err) {
      if (!observed) observe((err as Error).message);
      throw err;
    }
  }

  private keepCookie(headers: IncomingHttpHeaders): void {
    for (const line of headers['set-cookie'] ?? []) {
      const pair = line.split(';')[0]?.trim() ?? '';
      if (!pair.startsWith(`${SESSION_COOKIE}=`)) continue;
      const value = pair.slice(SESSION_COOKIE.length + 1);
      registerSecret(value);
      registerSecret(value.replace(/^"|"$/g, ''));
      this.cookie = pair;
    }
  }
}

/**
 * A SOAP answer decoded as its pieces arrive. A piece that is not well-formed XML, or not the
 * answer expected, stops the decoding (`readable` turns false); end() then returns that error.
 */
class SoapAnswer<T> {
  private readonly scanner: PieceScanner;
  private readonly outcome: SoapOutcome<T>;
  private failure: XmlSyntaxError | XmlDecodeError | undefined;

  constructor(method: string, returns: ResponseDecoder<T>) {
    const { sink, outcome } = soapResponseSink(method, returns);
    this.scanner = new PieceScanner(sink);
    this.outcome = outcome;
  }

  get readable(): boolean {
    return this.failure === undefined;
  }

  write(piece: Buffer): void {
    this.guard(() => this.scanner.write(piece));
  }

  end(): SoapOutcome<T> | XmlSyntaxError | XmlDecodeError {
    if (this.failure === undefined) this.guard(() => this.scanner.end());
    return this.failure ?? this.outcome;
  }

  private guard(step: () => void): void {
    try {
      step();
    } catch (err) {
      if (!(err instanceof XmlSyntaxError || err instanceof XmlDecodeError)) throw err;
      this.failure = err;
    }
  }
}

/** What one attempt got to: the status once the headers are in, whether the decoder began. */
interface Exchange {
  status?: number;
  headers?: IncomingHttpHeaders;
  decoding: boolean;
}

/** vim25 answers with 200, or 500 and a SOAP fault. */
function isSoapStatus(status: number): boolean {
  return status === 200 || status === 500;
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

/**
 * Decodes a response body as it arrives, chunk by chunk (a Readable, or any iterable of
 * Buffers or strings, split anywhere): nothing but the current object is held.
 */
export async function decodeSoapStream<T>(
  method: string,
  body: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  returns: ResponseDecoder<T>,
): Promise<SoapOutcome<T>> {
  const { sink, outcome } = soapResponseSink(method, returns);
  await scanChunks(sink, body);
  return outcome;
}

/** The scanner events of one SOAP answer decoded into `outcome` (the result or the fault). */
export function soapResponseSink<T>(
  method: string,
  returns: ResponseDecoder<T>,
): { sink: XmlSink; outcome: SoapOutcome<T> } {
  const outcome: SoapOutcome<T> = {};
  return { sink: new FrameDriver(envelopeFrame(method, returns, outcome)), outcome };
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
