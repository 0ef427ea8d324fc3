/**
 * A fault-injecting HTTPS proxy between drperm and a lab, for the fault-injection suite
 * (test/integration/faults). It terminates TLS with its own self-signed certificate (drperm
 * pins it by thumbprint), forwards each SOAP request to the lab, and lets a test inject,
 * per SOAP method, object and occurrence (or at random with a seed):
 *
 * - drop-before: the connection is closed without forwarding (the server never saw it);
 * - drop-after: forwarded, the answer is thrown away and the connection closed (the server
 *   applied it, the client cannot know);
 * - soap-fault: an HTTP 500 SOAP fault (default SystemError) without forwarding;
 * - http-status: e.g. 503 Service Unavailable, without forwarding;
 * - delay: held for `ms` (past the client's timeout), then forwarded anyway;
 * - lose-session: the session is logged out on the lab, then the request is forwarded
 *   (the lab answers NotAuthenticated as a vCenter does for an expired session);
 * - run: any action before forwarding (another administrator's change, killing the lab,
 *   a signal to drperm).
 *
 * Mocks are for fault injection only: everything not injected is the lab's own answer.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSelfSignedCertificate } from '../lab/self-signed';

export interface ProxiedRequest {
  /** SOAP method, e.g. SetEntityPermissions ('' if the body is not SOAP). */
  method: string;
  /** The `entity` (or else `_this`) managed object of the call. */
  entity?: { type: string; value: string };
  body: string;
  cookie?: string;
  /** 1-based count of requests of this method so far, this one included. */
  nth: number;
  /** 1-based count of all requests so far. */
  seq: number;
}

export type FaultAction =
  | { kind: 'drop-before' }
  | { kind: 'drop-after' }
  | { kind: 'soap-fault'; faultType?: string; status?: number }
  | { kind: 'http-status'; status: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'lose-session' }
  | { kind: 'run'; name: string; action: (req: ProxiedRequest) => Promise<void> | void };

export interface FaultRule {
  /** SOAP method the rule applies to (all when unset). */
  method?: string | RegExp;
  /** Only calls on this managed object id. */
  entity?: string;
  /** Only while this holds (checked before counting, e.g. "once the backup is written"). */
  when?: (req: ProxiedRequest) => boolean;
  /** Fire on the nth matching call (1-based); unset: every matching call. */
  nth?: number;
  /** Fire with this probability (the proxy's seeded random numbers). */
  probability?: number;
  /** How many times the rule may fire (default: once when `nth` is set, else unbounded). */
  times?: number;
  action: FaultAction;
}

export interface ProxyEvent {
  seq: number;
  method: string;
  entity?: string;
  fault?: string;
  status?: number;
}

export interface FaultProxyOptions {
  /** The lab's URL, e.g. https://127.0.0.1:12345/sdk. */
  upstream: string;
  /** The lab's certificate (PEM file): the proxy verifies the lab with it. */
  upstreamCertFile: string;
  /** Seed of the random faults (probability rules). */
  seed?: number;
}

interface ActiveRule extends FaultRule {
  matched: number;
  fired: number;
}

/** A small deterministic PRNG (mulberry32) so a failing random run can be repeated. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const soapFault = (faultType: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>injected by the fault proxy</faultstring><detail><${faultType}Fault xmlns="urn:vim25" xsi:type="${faultType}">${faultType === 'SystemError' ? '<reason>injected</reason>' : ''}</${faultType}Fault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`;

const LOGOUT = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><Logout xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this></Logout></soapenv:Body></soapenv:Envelope>`;

export function soapMethodOf(body: string): string {
  return /<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?([\w]+)/.exec(body)?.[1] ?? '';
}

export function entityOf(body: string): { type: string; value: string } | undefined {
  const m =
    /<entity type="([^"]+)">([^<]+)<\/entity>/.exec(body) ??
    /<_this type="([^"]+)">([^<]+)<\/_this>/.exec(body);
  return m ? { type: m[1]!, value: m[2]! } : undefined;
}

export class FaultProxy {
  readonly events: ProxyEvent[] = [];
  private rules: ActiveRule[] = [];
  private readonly counts = new Map<string, number>();
  private seq = 0;
  private readonly random: () => number;
  private readonly sockets = new Set<Socket>();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private upstream: URL;
  private agent: https.Agent;
  /** When true, the lab counts as gone: every connection is closed at once. */
  down = false;

  private constructor(
    private readonly server: https.Server,
    readonly url: string,
    readonly thumbprintSha256: string,
    private readonly certDir: string,
    options: FaultProxyOptions,
  ) {
    this.upstream = new URL(options.upstream);
    this.agent = agentFor(options.upstreamCertFile);
    this.random = seededRandom(options.seed ?? 1);
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const certDir = mkdtempSync(join(tmpdir(), 'drperm-fault-proxy-'));
    const { certFile, keyFile } = makeSelfSignedCertificate(certDir, 'localhost');
    const cert = readFileSync(certFile, 'utf8');
    const thumbprint = createHash('sha256').update(new X509Certificate(cert).raw).digest('hex');
    const server = https.createServer({ key: readFileSync(keyFile), cert });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const path = new URL(options.upstream).pathname;
    const proxy = new FaultProxy(
      server,
      `https://127.0.0.1:${port}${path}`,
      thumbprint,
      certDir,
      options,
    );
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void proxy.handle(req, res);
    });
    server.on('secureConnection', (socket: Socket) => {
      if (proxy.down) {
        socket.destroy();
        return;
      }
      proxy.sockets.add(socket);
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    return proxy;
  }

  /** Adds a rule (rules are tried in the order added; the first that fires wins). */
  inject(rule: FaultRule): this {
    this.rules.push({ ...rule, matched: 0, fired: 0 });
    return this;
  }

  /** Removes every rule (counters of methods keep counting). */
  clear(): this {
    this.rules = [];
    return this;
  }

  /** Points the proxy at another lab (after a restart). */
  retarget(upstream: string, upstreamCertFile: string): void {
    this.agent.destroy();
    this.upstream = new URL(upstream);
    this.agent = agentFor(upstreamCertFile);
  }

  /** Closes every open client connection (e.g. when the lab was killed). */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Faults fired so far, by kind. */
  faultCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.events) if (e.fault) out[e.fault] = (out[e.fault] ?? 0) + 1;
    return out;
  }

  /** Resolves when no request is being held or forwarded (a delayed write has landed). */
  settled(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async stop(): Promise<void> {
    this.dropAll();
    this.agent.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
    rmSync(this.certDir, { recursive: true, force: true });
  }

  /** Every matching rule counts the call; the first one due fires. */
  private pick(req: ProxiedRequest): FaultAction | undefined {
    let chosen: ActiveRule | undefined;
    for (const rule of this.rules) {
      if (rule.method !== undefined) {
        const ok =
          typeof rule.method === 'string'
            ? rule.method === req.method
            : rule.method.test(req.method);
        if (!ok) continue;
      }
      if (rule.entity !== undefined && req.entity?.value !== rule.entity) continue;
      if (rule.when !== undefined && !rule.when(req)) continue;
      rule.matched++;
      if (chosen) continue;
      const limit = rule.times ?? (rule.nth !== undefined ? 1 : Infinity);
      if (rule.fired >= limit) continue;
      if (rule.nth !== undefined && rule.matched < rule.nth) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      chosen = rule;
    }
    if (!chosen) return undefined;
    chosen.fired++;
    return chosen.action;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    try {
      const body = await readBody(req);
      const method = soapMethodOf(body);
      const nth = (this.counts.get(method) ?? 0) + 1;
      this.counts.set(method, nth);
      const cookie = req.headers.cookie;
      const entity = entityOf(body);
      const call: ProxiedRequest = {
        method,
        body,
        nth,
        seq: ++this.seq,
        ...(entity ? { entity } : {}),
        ...(cookie ? { cookie } : {}),
      };
      const event: ProxyEvent = {
        seq: call.seq,
        method,
        ...(entity ? { entity: entity.value } : {}),
      };
      this.events.push(event);
      if (this.down) {
        event.fault = 'lab-down';
        req.socket.destroy();
        return;
      }
      const action = this.pick(call);
      if (action) event.fault = action.kind === 'run' ? action.name : action.kind;
      switch (action?.kind) {
        case 'drop-before':
          req.socket.destroy();
          return;
        case 'soap-fault':
          respond(res, action.status ?? 500, soapFault(action.faultType ?? 'SystemError'));
          event.status = action.status ?? 500;
          return;
        case 'http-status':
          respond(res, action.status, `<html><body>${action.status}</body></html>`, 'text/html');
          event.status = action.status;
          return;
        case 'delay':
          await new Promise((r) => setTimeout(r, action.ms));
          break;
        case 'lose-session':
          if (cookie) await this.forward(LOGOUT, { cookie }).catch(() => undefined);
          break;
        case 'run':
          await action.action(call);
          if (this.down) {
            req.socket.destroy();
            return;
          }
          break;
        default:
          break;
      }
      let answer: Answer;
      try {
        answer = await this.forward(body, req.headers);
      } catch {
        // The lab is unreachable: the client sees its connection reset, as with a dead server.
        event.fault ??= 'upstream-error';
        req.socket.destroy();
        return;
      }
      event.status = answer.status;
      if (action?.kind === 'drop-after' || res.socket === null || res.socket.destroyed) {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    } catch {
      req.socket.destroy();
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }

  private forward(body: string, headers: Record<string, unknown>): Promise<Answer> {
    const pass: Record<string, string> = {
      'content-type': 'text/xml; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
    };
    for (const name of ['soapaction', 'cookie', 'accept-encoding', 'vmware-api-version']) {
      const v = headers[name];
      if (typeof v === 'string') pass[name] = v;
    }
    return new Promise((resolve, reject) => {
      const out = https.request(
        {
          hostname: this.upstream.hostname,
          port: this.upstream.port,
          path: this.upstream.pathname,
          method: 'POST',
          headers: pass,
          agent: this.agent,
          timeout: 60_000,
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => {
            const h: Record<string, string | string[]> = {};
            for (const [k, v] of Object.entries(answer.headers)) {
              if (v !== undefined && k !== 'connection' && k !== 'transfer-encoding') h[k] = v;
            }
            resolve({ status: answer.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
          });
          answer.on('error', reject);
        },
      );
      out.on('timeout', () => out.destroy(new Error('upstream timeout')));
      out.on('error', reject);
      out.end(body);
    });
  }
}

interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

function agentFor(certFile: string): https.Agent {
  // The lab's certificate is its own CA; its name is 127.0.0.1 or localhost.
  return new https.Agent({ keepAlive: true, ca: readFileSync(certFile), maxSockets: 16 });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function respond(
  res: ServerResponse,
  status: number,
  body: string,
  type = 'text/xml; charset=utf-8',
) {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
