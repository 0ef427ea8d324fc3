/**
 * drperm's NSX Manager test server. No NSX simulator exists, so this serves the AAA endpoints
 * drperm uses with the documented shapes (shared/reference/nsx-rbac.md): session login with
 * a JSESSIONID cookie and an X-XSRF-TOKEN (calls without them are refused), basic auth,
 * cursor paging with a small page size, roles with complete feature matrices (`none` and
 * internal features included), bindings with roles_for_paths, PUT of custom roles (refused
 * above cloudadmin, as AVS does), and NSX error bodies. It records every request so tests
 * can assert what was, or was not, sent. Tests import it from here; the demo runs its build
 * (dist-lab/).
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avsScenario from './nsx-fixtures/avs.json';
import catalogue from './nsx-fixtures/catalogue.json';
import cleanScenario from './nsx-fixtures/clean.json';
import type { LabInfo } from './launch';
import { makeSelfSignedCertificate } from './self-signed';

const PERMISSIONS = ['none', 'read', 'execute', 'crud'] as const;
type Permission = (typeof PERMISSIONS)[number];

export interface WireFeature {
  feature: string;
  feature_name: string;
  is_internal?: boolean;
}

export interface FixtureRole {
  role: string;
  display_name: string;
  description?: string;
  system_owned?: boolean;
  /** Permission of every feature not listed under `permissions`. */
  default: string;
  permissions?: Partial<Record<Permission, string[]>>;
}

export interface FixtureBinding {
  id: string;
  name: string;
  type: string;
  identity_source_type?: string;
  identity_source_id?: string;
  roles_for_paths: { path: string; roles: { role: string }[] }[];
}

/** A manager's RBAC state: the catalogue's features and roles plus a scenario's. */
export interface NsxFixture {
  version: string;
  features: WireFeature[];
  roles: FixtureRole[];
  bindings: FixtureBinding[];
}

export type NsxScenario = 'avs' | 'clean';

/** A fresh copy of a shipped scenario, safe to modify before passing it to startNsxServer. */
export function loadNsxFixture(scenario: NsxScenario): NsxFixture {
  const s = scenario === 'avs' ? avsScenario : cleanScenario;
  return structuredClone({
    version: catalogue.version,
    features: catalogue.features,
    roles: [...catalogue.roles, ...s.customRoles] as FixtureRole[],
    bindings: [...catalogue.baseBindings, ...s.bindings] as FixtureBinding[],
  });
}

export interface NsxServerOptions {
  scenario?: NsxScenario;
  /** Overrides `scenario`. */
  fixture?: NsxFixture;
  username?: string;
  password?: string;
  /** Results per page on list calls, whatever page_size the client asks (default 4). */
  pageSize?: number;
  /** false: /api/session/create answers 404, so clients must use basic auth. */
  sessionEndpoint?: boolean;
  port?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  auth: 'session' | 'basic' | 'none';
  status: number;
  body: string;
}

/** Connection details in the vCenter lab's shape (url, credentials, thumbprints, certFile). */
export interface RunningNsxServer extends LabInfo {
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Forgets every session: the next call with an old cookie gets 401. */
  expireSessions(): void;
  /** Forgets every session once `count` more authenticated calls have been answered (mid-run expiry). */
  expireSessionsAfter(count: number): void;
  /** The next request whose path starts with `pathPrefix` gets this NSX error. */
  failNext(pathPrefix: string, status: number, errorCode: number, message: string): void;
  stop(): Promise<void>;
}

interface StoredRole {
  role: string;
  display_name: string;
  description?: string;
  system_owned: boolean;
  revision: number;
  matrix: Map<string, Permission>;
}

class NsxError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startNsxServer(options: NsxServerOptions = {}): Promise<RunningNsxServer> {
  const fixture = options.fixture ?? loadNsxFixture(options.scenario ?? 'avs');
  const username = options.username ?? 'cloudadmin';
  const password = options.password ?? `Nsx-${randomBytes(9).toString('base64url')}!`;
  const pageSize = options.pageSize ?? 4;
  const certDir = mkdtempSync(join(tmpdir(), 'drperm-nsx-'));
  const { certFile, keyFile } = makeSelfSignedCertificate(certDir, 'nsx-test.drperm.local');
  const certPem = readFileSync(certFile, 'utf8');
  const x509 = new X509Certificate(certPem);

  const features = fixture.features;
  const roles = new Map<string, StoredRole>(
    fixture.roles.map((r) => [r.role, expandRole(r, features)]),
  );
  const bindings = fixture.bindings;
  const sessions = new Map<string, string>(); // JSESSIONID -> XSRF token
  const requests: RecordedRequest[] = [];
  const pendingFailures: { prefix: string; error: NsxError }[] = [];
  let expireCountdown: number | undefined;

  const roleBody = (r: StoredRole) => ({
    resource_type: 'RoleWithFeatures',
    id: r.role,
    role: r.role,
    display_name: r.display_name,
    ...(r.description !== undefined ? { description: r.description } : {}),
    _system_owned: r.system_owned,
    _revision: r.revision,
    features: features.map((f) => ({
      feature: f.feature,
      feature_name: f.feature_name,
      permission: r.matrix.get(f.feature) ?? 'none',
      is_internal: f.is_internal === true,
    })),
  });

  const cloudadmin = () => [...roles.values()].find((r) => r.display_name === 'cloudadmin');

  function authenticate(req: IncomingMessage): 'session' | 'basic' {
    const authz = req.headers.authorization;
    if (authz?.startsWith('Basic ')) {
      const [u, ...rest] = Buffer.from(authz.slice(6), 'base64').toString('utf8').split(':');
      if (u === username && rest.join(':') === password) return 'basic';
      throw new NsxError(
        403,
        403,
        'The credentials were incorrect or the account specified has been locked.',
      );
    }
    const cookie = /JSESSIONID=([^;\s]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (!cookie || !sessions.has(cookie)) {
      throw new NsxError(401, 401, 'The session has expired or is not valid. Log in again.');
    }
    if (req.headers['x-xsrf-token'] !== sessions.get(cookie)) {
      throw new NsxError(
        403,
        98,
        'The X-XSRF-TOKEN header is missing or does not match the session.',
      );
    }
    return 'session';
  }

  function login(body: string, res: ServerResponse): void {
    if (options.sessionEndpoint === false)
      throw new NsxError(404, 404, 'The requested URI could not be found.');
    const form = new URLSearchParams(body);
    if (form.get('j_username') !== username || form.get('j_password') !== password) {
      throw new NsxError(
        403,
        403,
        'The credentials were incorrect or the account specified has been locked.',
      );
    }
    const id = randomBytes(16).toString('hex');
    const xsrf = randomBytes(16).toString('hex');
    sessions.set(id, xsrf);
    res.setHeader('Set-Cookie', `JSESSIONID=${id}; Path=/; Secure; HttpOnly`);
    res.setHeader('X-XSRF-TOKEN', xsrf);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('');
  }

  function page<T>(all: T[], url: URL): Record<string, unknown> {
    const offset = Number(
      Buffer.from(url.searchParams.get('cursor') ?? '', 'base64').toString() || '0',
    );
    const size = Math.min(
      pageSize,
      Number(url.searchParams.get('page_size') ?? pageSize) || pageSize,
    );
    const results = all.slice(offset, offset + size);
    const next =
      offset + size < all.length
        ? Buffer.from(String(offset + size)).toString('base64')
        : undefined;
    return { results, result_count: all.length, ...(next ? { cursor: next } : {}) };
  }

  function putRole(roleId: string, body: string): unknown {
    if (!/^[_a-z0-9-]+$/.test(roleId))
      throw new NsxError(400, 267, `Role id ${roleId} is not valid.`);
    let parsed: {
      display_name?: string;
      description?: string;
      _revision?: number;
      features?: { feature: string; permission: string }[];
    };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      throw new NsxError(400, 255, 'The request body is not valid JSON.');
    }
    const existing = roles.get(roleId);
    if (existing?.system_owned)
      throw new NsxError(400, 5032, `Role ${roleId} is a system role and cannot be modified.`);
    if (existing && parsed._revision !== existing.revision) {
      throw new NsxError(
        412,
        602,
        `The object was modified by somebody else (revision ${existing.revision}).`,
      );
    }
    const matrix = new Map<string, Permission>();
    for (const f of parsed.features ?? []) {
      const def = features.find((x) => x.feature === f.feature);
      if (!def) throw new NsxError(400, 5036, `Feature ${f.feature} does not exist.`);
      if (!(PERMISSIONS as readonly string[]).includes(f.permission)) {
        throw new NsxError(
          400,
          5037,
          `Permission ${f.permission} is not valid for feature ${f.feature}.`,
        );
      }
      if (!def.is_internal) matrix.set(f.feature, f.permission as Permission); // internal: ignored, as documented
    }
    // AVS: "Custom role creation will fail if you assign a permission not allowed by CloudAdmin role."
    const limit = cloudadmin();
    if (limit) {
      const over = [...matrix].filter(
        ([f, p]) => PERMISSIONS.indexOf(p) > PERMISSIONS.indexOf(limit.matrix.get(f) ?? 'none'),
      );
      if (over.length > 0) {
        throw new NsxError(
          400,
          5045,
          `Permissions ${over.map(([f, p]) => `${f}=${p}`).join(', ')} exceed the permissions of the current user.`,
        );
      }
    }
    const stored: StoredRole = {
      role: roleId,
      display_name: parsed.display_name ?? roleId,
      ...(parsed.description !== undefined ? { description: parsed.description } : {}),
      system_owned: false,
      revision: existing ? existing.revision + 1 : 0,
      matrix,
    };
    roles.set(roleId, stored);
    return roleBody(stored);
  }

  function route(method: string, url: URL, body: string, res: ServerResponse): void {
    const p = url.pathname.replace(/^\/api\/v1\/aaa\//, '/policy/api/v1/aaa/');
    const json = (v: unknown): void => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(v));
    };
    if (method === 'GET' && p === '/policy/api/v1/aaa/features-with-properties') {
      const limit = cloudadmin();
      return json(
        page(
          features.map((f) => ({
            ...f,
            permission: limit?.matrix.get(f.feature) ?? 'none',
            is_internal: f.is_internal === true,
          })),
          url,
        ),
      );
    }
    if (method === 'GET' && p === '/policy/api/v1/aaa/roles-with-feature-permissions') {
      return json(page([...roles.values()].map(roleBody), url));
    }
    if (method === 'GET' && p === '/policy/api/v1/aaa/roles') {
      return json(
        page(
          [...roles.values()].map((r) => ({ role: r.role, role_display_name: r.display_name })),
          url,
        ),
      );
    }
    const one = /^\/policy\/api\/v1\/aaa\/roles\/([^/]+)$/.exec(p);
    if (one) {
      const id = decodeURIComponent(one[1]!);
      if (method === 'GET') {
        const r = roles.get(id);
        if (!r)
          throw new NsxError(
            404,
            600,
            `The requested object : ${id} could not be found. Object identifiers are case sensitive.`,
          );
        return json(roleBody(r));
      }
      if (method === 'PUT') return json(putRole(id, body));
    }
    if (method === 'GET' && p === '/policy/api/v1/aaa/role-bindings') {
      return json(
        page(
          bindings.map((b) => ({
            resource_type: 'RoleBinding',
            display_name: b.name,
            read_roles_for_paths: true,
            ...b,
          })),
          url,
        ),
      );
    }
    if (method === 'GET' && url.pathname === '/api/v1/node/version') {
      return json({ node_version: fixture.version, product_version: fixture.version });
    }
    throw new NsxError(
      404,
      404,
      `The requested URI: ${method} ${url.pathname} could not be found.`,
    );
  }

  const server: Server = createServer({ cert: certPem, key: readFileSync(keyFile) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'https://localhost');
      const method = req.method ?? 'GET';
      const record: RecordedRequest = {
        method,
        url: req.url ?? '/',
        auth: 'none',
        status: 200,
        body,
      };
      requests.push(record);
      try {
        const failure = pendingFailures.findIndex((f) => url.pathname.startsWith(f.prefix));
        if (url.pathname === '/api/session/create' && method === 'POST') {
          login(body, res);
        } else {
          record.auth = authenticate(req);
          if (failure >= 0) throw pendingFailures.splice(failure, 1)[0]!.error;
          route(method, url, body, res);
          if (expireCountdown !== undefined && --expireCountdown <= 0) {
            expireCountdown = undefined;
            sessions.clear();
          }
        }
      } catch (err) {
        const e = err instanceof NsxError ? err : new NsxError(500, 100, (err as Error).message);
        res.writeHead(e.status, { 'Content-Type': 'application/json' }).end(
          JSON.stringify({
            httpStatus: String(e.status),
            error_code: e.errorCode,
            module_name: 'common-services',
            error_message: e.message,
          }),
        );
      }
      record.status = res.statusCode;
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `https://127.0.0.1:${port}`,
    username,
    password,
    thumbprintSha256: x509.fingerprint256,
    thumbprintSha1: x509.fingerprint,
    certFile,
    requests,
    expireSessions: () => sessions.clear(),
    expireSessionsAfter: (count) => {
      expireCountdown = count;
    },
    failNext: (prefix, status, errorCode, message) =>
      pendingFailures.push({ prefix, error: new NsxError(status, errorCode, message) }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(certDir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

function expandRole(r: FixtureRole, features: WireFeature[]): StoredRole {
  const matrix = new Map<string, Permission>();
  for (const f of features) matrix.set(f.feature, r.default as Permission);
  for (const [permission, ids] of Object.entries(r.permissions ?? {})) {
    for (const id of ids ?? []) matrix.set(id, permission as Permission);
  }
  return {
    role: r.role,
    display_name: r.display_name,
    ...(r.description !== undefined ? { description: r.description } : {}),
    system_owned: r.system_owned === true,
    revision: 0,
    matrix,
  };
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI. */
