/**
 * NSX Manager REST client: session authentication (POST /api/session/create, then the
 * JSESSIONID cookie and X-XSRF-TOKEN header on every call), re-created once when a call is
 * refused with 401/403 (sessions expire), basic authentication when the manager offers no
 * session endpoint, cursor paging, and NSX error bodies turned into ServerErrors.
 */
import { InputError, ServerError } from '../util/errors';
import { registerSecret, type Logger } from '../util/log';
import { NetworkError } from '../net/http';
import { describeAnswer, looksLikeNsxError, looksLikeVimServiceVersions } from '../util/peer';
import { backoffDelayMs, DEFAULT_RETRY, shouldRetry, type AttemptFailure } from '../net/retry';
import { DEFAULT_CALL_TIMEOUT_S } from '../net/timeouts';
import type { TrustPolicy } from '../net/tls';
import { HttpsTransport, type HttpRequest, type HttpResponse } from './transport';

export interface NsxClientOptions {
  url: string;
  username: string;
  password: string;
  trust: TrustPolicy;
  log: Logger;
  /** auto: session, falling back to basic when the manager has no session endpoint. */
  auth?: 'auto' | 'session' | 'basic';
  /** page_size sent on list calls (NSX default and maximum 1000). */
  pageSize?: number;
  /** Bound of each call; default DEFAULT_CALL_TIMEOUT_S. */
  timeoutMs?: number;
}

type Auth = { kind: 'session'; cookie: string; xsrf: string } | { kind: 'basic'; header: string };

/** `https://host[:port]` from what the user typed (a bare host name is taken as https). */
export function parseNsxUrl(input: string): URL {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `https://${input}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(`--nsx-url "${input}" is not a URL`, {
      hint: 'e.g. --nsx-url https://nsx.example.net',
    });
  }
  if (url.protocol !== 'https:') {
    throw new InputError(`--nsx-url must use https (got ${url.protocol}//)`, {
      hint: 'NSX Manager serves its API over HTTPS only; drperm never sends credentials in clear text',
    });
  }
  if (url.username || url.password) {
    throw new InputError('--nsx-url must not contain credentials', {
      hint: 'give the user with --nsx-username and the password on stdin or in DRPERM_NSX_PASSWORD',
    });
  }
  return new URL(url.origin);
}

interface NsxErrorBody {
  error_code?: number;
  error_message?: string;
  module_name?: string;
  related_errors?: { error_message?: string }[];
}

export class NsxClient {
  private readonly transport: HttpsTransport;
  private readonly base: URL;
  private auth?: Auth;

  private constructor(private readonly opts: NsxClientOptions) {
    this.base = parseNsxUrl(opts.url);
    this.transport = new HttpsTransport(opts.trust, {
      timeoutMs: opts.timeoutMs ?? DEFAULT_CALL_TIMEOUT_S * 1000,
    });
    registerSecret(opts.password);
  }

  /** Connects and authenticates; the returned client is ready for calls. */
  static async connect(opts: NsxClientOptions): Promise<NsxClient> {
    const client = new NsxClient(opts);
    try {
      await client.authenticate();
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  get url(): string {
    return this.base.origin;
  }

  get authKind(): 'session' | 'basic' | undefined {
    return this.auth?.kind;
  }

  async get<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    return this.json<T>(await this.call('GET', path, query));
  }

  async put<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>(await this.call('PUT', path, {}, JSON.stringify(body)));
  }

  /** Every element of a paged list: follows `cursor` until the server gives none. */
  async list<T>(path: string, query: Record<string, string> = {}): Promise<T[]> {
    const out: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      const page = await this.get<{ results?: T[]; cursor?: string }>(path, {
        ...query,
        page_size: String(this.opts.pageSize ?? 1000),
        ...(cursor ? { cursor } : {}),
      });
      out.push(...(page.results ?? []));
      cursor = page.cursor || undefined;
      if (!cursor) return out;
      if (seen.has(cursor)) {
        throw new ServerError(
          `NSX Manager repeated paging cursor on ${path}; stopping to avoid a loop`,
        );
      }
      seen.add(cursor);
    }
  }

  close(): void {
    this.transport.close();
  }

  private async authenticate(): Promise<void> {
    const mode = this.opts.auth ?? 'auto';
    if (mode === 'basic') {
      this.auth = this.basicAuth();
      return;
    }
    const res = await this.send('POST', '/api/session/create', {}, this.loginForm(), {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    if (res.status === 200) {
      this.auth = sessionFrom(res);
      this.opts.log.debug(`NSX session created for ${this.opts.username}`);
      return;
    }
    // An answer in NSX's own error format is NSX; anything else may be another server.
    if (res.status !== 401 && res.status !== 403 && !looksLikeNsxError(res))
      await this.refuseIfVcenter(res);
    if (mode === 'auto' && (res.status === 404 || res.status === 405 || res.status === 501)) {
      this.opts.log.info(
        `NSX Manager offers no session endpoint (HTTP ${res.status}); using basic authentication`,
      );
      this.auth = this.basicAuth();
      return;
    }
    if (res.status === 401 || res.status === 403) {
      throw new ServerError(
        `NSX Manager ${this.base.host} refused the login of ${this.opts.username}`,
        {
          hint: 'check the user name and password; LDAP users log in as user@domain',
        },
      );
    }
    throw nsxError('POST', '/api/session/create', res);
  }

  /**
   * An NSX URL that points at vCenter gets 404s (or a web page) everywhere: one look at
   * vCenter's /sdk/vimServiceVersions.xml tells the partner which server this really is.
   */
  private async refuseIfVcenter(login: HttpResponse): Promise<void> {
    const probe = await this.send('GET', '/sdk/vimServiceVersions.xml', {}, undefined, {}).catch(
      () => undefined,
    );
    if (probe && looksLikeVimServiceVersions(probe)) {
      throw new ServerError(
        `${this.base.host} is a vCenter (it serves the vSphere SDK at /sdk), not NSX Manager: its answer to the NSX login was HTTP ${login.status} with ${describeAnswer(login)}`,
        { hint: "--nsx-url names NSX Manager; vCenter's address goes in --url" },
      );
    }
  }

  private loginForm(): string {
    return new URLSearchParams({
      j_username: this.opts.username,
      j_password: this.opts.password,
    }).toString();
  }

  private basicAuth(): Auth {
    const header = `Basic ${Buffer.from(`${this.opts.username}:${this.opts.password}`).toString('base64')}`;
    registerSecret(header);
    return { kind: 'basic', header };
  }

  private async call(
    method: 'GET' | 'PUT',
    path: string,
    query: Record<string, string>,
    body?: string,
  ): Promise<HttpResponse> {
    const jsonHeaders: Record<string, string> =
      body === undefined ? {} : { 'Content-Type': 'application/json' };
    let res = await this.send(method, path, query, body, { ...jsonHeaders, ...this.authHeaders() });
    if ((res.status === 401 || res.status === 403) && this.auth?.kind === 'session') {
      // Sessions expire; a refused call gets one new session and one retry, no more.
      this.opts.log.info(`NSX session refused (HTTP ${res.status}); logging in again`);
      await this.authenticate();
      res = await this.send(method, path, query, body, { ...jsonHeaders, ...this.authHeaders() });
    }
    if (res.status < 200 || res.status >= 300) throw nsxError(method, path, res);
    return res;
  }

  private authHeaders(): Record<string, string> {
    if (!this.auth) return {};
    if (this.auth.kind === 'basic') return { Authorization: this.auth.header };
    return { Cookie: this.auth.cookie, 'X-XSRF-TOKEN': this.auth.xsrf };
  }

  private async send(
    method: HttpRequest['method'],
    path: string,
    query: Record<string, string>,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<HttpResponse> {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    // Reads are repeated on transient failures (src/net/retry), writes never.
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      let failure: AttemptFailure;
      let error: Error | undefined;
      try {
        const res = await this.transport.send({
          method,
          url,
          headers: { Accept: 'application/json', ...headers },
          ...(body !== undefined ? { body } : {}),
        });
        this.opts.log.debug(
          `NSX ${method} ${url.pathname}${url.search} -> ${res.status} (${Date.now() - started} ms)`,
        );
        if (res.status !== 503) return res;
        failure = { kind: 'http', status: 503 };
        if (!shouldRetry(failure, method === 'GET', attempt, DEFAULT_RETRY)) return res;
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        failure = { kind: 'network', code: err.code };
        error = err;
        if (!shouldRetry(failure, method === 'GET', attempt, DEFAULT_RETRY)) throw err;
      }
      const delay = backoffDelayMs(attempt, DEFAULT_RETRY);
      this.opts.log.debug(
        `NSX ${method} ${url.pathname}: ${error?.message ?? 'HTTP 503'}; retry ${attempt} of ${DEFAULT_RETRY.maxAttempts - 1} in ${delay} ms`,
      );
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  private json<T>(res: HttpResponse): T {
    if (res.body.trim() === '') return {} as T;
    try {
      return JSON.parse(res.body) as T;
    } catch {
      throw new ServerError(`NSX Manager sent a response that is not JSON (HTTP ${res.status})`);
    }
  }
}

function sessionFrom(res: HttpResponse): Auth {
  const setCookie = res.headers['set-cookie'];
  const cookies = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const jsession = cookies.map((c) => /JSESSIONID=([^;]+)/.exec(c)?.[1]).find((v) => v);
  const xsrfHeader = res.headers['x-xsrf-token'];
  const xsrf = Array.isArray(xsrfHeader) ? xsrfHeader[0] : xsrfHeader;
  if (!jsession || !xsrf) {
    throw new ServerError(
      'NSX Manager accepted the login but sent no JSESSIONID cookie or X-XSRF-TOKEN header',
    );
  }
  registerSecret(jsession);
  registerSecret(xsrf);
  return { kind: 'session', cookie: `JSESSIONID=${jsession}`, xsrf };
}

/** NSX error body (error_code, error_message, related_errors) -> one clear ServerError. */
export function nsxError(method: string, path: string, res: HttpResponse): ServerError {
  let parsed: NsxErrorBody | undefined;
  try {
    parsed = JSON.parse(res.body) as NsxErrorBody;
  } catch {
    parsed = undefined;
  }
  const related = (parsed?.related_errors ?? [])
    .map((e) => e.error_message)
    .filter((m): m is string => typeof m === 'string' && m.length > 0);
  const what = parsed?.error_message ?? (res.body.trim().slice(0, 200) || 'no details');
  const code = parsed?.error_code !== undefined ? `, error_code ${parsed.error_code}` : '';
  const module = parsed?.module_name ? `, module ${parsed.module_name}` : '';
  const message =
    `NSX Manager refused ${method} ${path}: ${what} (HTTP ${res.status}${code}${module})` +
    (related.length ? `; related: ${related.join('; ')}` : '');
  const hint =
    res.status === 403
      ? 'the NSX account lacks the permission for this call; cloudadmin (or a role with the feature) is needed'
      : res.status === 412
        ? 'the object changed on the manager since it was read; run the command again'
        : undefined;
  return new ServerError(message, hint ? { hint } : undefined);
}
