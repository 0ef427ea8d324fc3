/**
 * One SOAP call: envelope over the transport, the session cookie, faults turned into typed
 * errors, retries for read-only calls, and --verbose logging with secrets redacted.
 */
import { ServerError } from '../util/errors';
import { describeAnswer, looksLikeSoap } from '../util/peer';
import { redact, registerSecret, type Logger } from '../util/log';
import { faultFromXml } from './faults';
import type { SoapRequest } from './requests';
import {
  backoffDelayMs,
  DEFAULT_RETRY,
  shouldRetry,
  type AttemptFailure,
  type RetryPolicy,
} from './retry';
import { NetworkError, type HttpResponse, type HttpsTransport } from './transport';
import { child, parseXml, soapBody, XmlParseError, type XmlNode } from './xml-parse';

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

  /** Calls the method; returns its `<MethodResponse>` element. Faults throw VimFault subclasses. */
  async call(req: SoapRequest): Promise<XmlNode> {
    for (let attempt = 1; ; attempt++) {
      let failure: AttemptFailure;
      let error: Error;
      try {
        const res = await this.send(req);
        if (res.status === 200 || res.status === 500) return this.readResponse(req.method, res);
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
    const started = Date.now();
    try {
      const res = await this.transport.post(req.body, headers);
      const ms = Date.now() - started;
      this.log.debug(
        `soap ${req.method}: HTTP ${res.status} in ${ms} ms, ${res.body.length} bytes`,
      );
      this.keepCookie(res);
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

  private readResponse(method: string, res: HttpResponse): XmlNode {
    let body: XmlNode;
    try {
      body = soapBody(parseXml(res.body));
    } catch (err) {
      const detail = err instanceof XmlParseError ? err.message : String(err);
      throw new ServerError(
        looksLikeSoap(res)
          ? `${method}: the server sent an answer that is not SOAP (HTTP ${res.status}): ${detail}`
          : `${method}: ${this.transport.url.host} is not a vCenter SDK endpoint: it answered HTTP ${res.status} with ${describeAnswer(res)}`,
        {
          hint: 'check that --url points at the vCenter SDK endpoint, e.g. https://vcenter.example.com/sdk',
        },
      );
    }
    const fault = child(body, 'Fault');
    if (fault) throw faultFromXml(method, fault);
    const response = child(body, `${method}Response`);
    if (!response) throw new ServerError(`${method}: the server's answer has no ${method}Response`);
    return response;
  }
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
