/**
 * One SOAP call: envelope over the transport, the session cookie, faults turned into typed
 * errors, retries for read-only calls, and --verbose logging with secrets redacted.
 */
import { ServerError } from '../util/errors';
import { redact, registerSecret, type Logger } from '../util/log';
import { faultFromXml } from './faults';
import type { SoapRequest } from './requests';
import {
  backoffDelayMs,
  DEFAULT_RETRY,
  shouldRetry,
  type AttemptFailure,
  type RetryPolicy,
} from '../net/retry';
import { NetworkError, type HttpResponse, type HttpsTransport } from './transport';
import { child, parseXml, soapBody, XmlParseError, type XmlNode } from './xml-parse';

export const SESSION_COOKIE = 'vmware_soap_session';
const LOGGED_BODY_CHARS = 4000;

export interface SoapConnectionOptions {
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
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
  }

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
    // Bodies are redacted and logged with --verbose only: never built otherwise (45,000 VMs
    // make tens of MB of XML).
    if (this.log.verbose) this.log.debug(`soap ${req.method} request: ${loggable(req.body)}`);
    const started = Date.now();
    try {
      const res = await this.transport.post(req.body, headers, req.method);
      // The session key works as the session cookie: never print it, wherever it comes back.
      if (LOGIN_METHODS.has(req.method)) registerSecret(sessionKeyOf(res.body));
      this.keepCookie(res);
      if (this.log.verbose) {
        this.log.debug(
          `soap ${req.method}: HTTP ${res.status} in ${Date.now() - started} ms, ${res.body.length} bytes`,
        );
        this.log.debug(`soap ${req.method} response: ${loggable(res.body)}`);
      }
      return res;
    } catch (err) {
      this.log.debug(
        redact(
          `soap ${req.method}: failed after ${Date.now() - started} ms: ${(err as Error).message}`,
        ),
      );
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
        `${method}: the server sent an answer that is not SOAP (HTTP ${res.status}): ${detail}`,
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

/**
 * A body as --verbose shows it: secrets removed (in any escaped form), then shortened
 * (after redaction, so a secret is never cut in half and half-printed).
 */
function loggable(body: string): string {
  return truncate(redact(body));
}

function truncate(text: string): string {
  return text.length <= LOGGED_BODY_CHARS
    ? text
    : `${text.slice(0, LOGGED_BODY_CHARS)}… (${text.length} chars)`;
}

function httpError(method: string, res: HttpResponse, url: URL): ServerError {
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
