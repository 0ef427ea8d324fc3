/**
 * Connection settings of the servers a run talks to: a vCenter URL in the form the client
 * needs, and the vCenters and NSX Managers of a fleet file (README "Dedicated and
 * managed-service models") with their passwords. Where a password comes from (environment,
 * prompt, stdin) is the CLI's business: it answers `PasswordFor`.
 */
import {
  fleetServer,
  pickVcenters,
  type FleetServer,
  type FleetVcenter,
  type LoadedFleet,
} from '../policy/fleet';
import { InputError } from '../util/errors';
import { registerSecret } from '../util/log';
import { callTimeoutMs } from '../net/timeouts';
import { parseThumbprint, trustPolicyFrom } from '../net/tls';
import type { ConnectOptions } from '../vsphere/types';
import type { FleetNsxTarget, FleetTarget } from './fleet';

/** Turns a host, host:port or URL into an https URL with the /sdk path; credentials are split off. */
export function normaliseUrl(input: string): { url: string; username?: string; password?: string } {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `https://${input}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new InputError(`"${redactUserInfo(input)}" is not a valid vCenter URL`, {
      hint: 'give a host name or a URL, e.g. vcenter.example.com or https://vcenter.example.com/sdk',
    });
  }
  if (u.protocol !== 'https:') {
    throw new InputError(`only https URLs are supported, got ${u.protocol}//`, {
      hint: 'vCenter serves its API over HTTPS; use https://host/sdk',
    });
  }
  const username = u.username !== '' ? decodeURIComponent(u.username) : undefined;
  const password = u.password !== '' ? decodeURIComponent(u.password) : undefined;
  u.username = '';
  u.password = '';
  if (u.pathname === '' || u.pathname === '/') u.pathname = '/sdk';
  const result: { url: string; username?: string; password?: string } = { url: u.toString() };
  if (username !== undefined) result.username = username;
  if (password !== undefined) result.password = password;
  return result;
}

function redactUserInfo(input: string): string {
  return input.replace(/\/\/[^/@]*@/, '//***@');
}

/** The server a password is asked for; `where` names it in messages (file: vCenter NAME). */
export interface PasswordRequest {
  name: string;
  username: string;
  /** The environment variable the fleet file names for it. */
  passwordEnv?: string;
  where: string;
}

export type PasswordFor = (server: PasswordRequest) => Promise<string>;

/** The chosen vCenters of the fleet file (all without `names`), connection settings resolved. */
export async function fleetTargets(
  loaded: LoadedFleet,
  names: readonly string[] | undefined,
  passwordFor: PasswordFor,
): Promise<FleetTarget[]> {
  const targets: FleetTarget[] = [];
  for (const v of pickVcenters(loaded.fleet, names))
    targets.push({ name: v.name, connection: await connectionOf(loaded, v, passwordFor) });
  return targets;
}

/** The NSX Managers of the fleet file that serve the chosen vCenters (all without `names`). */
export function fleetNsxManagers(
  loaded: LoadedFleet,
  names: readonly string[] | undefined,
): LoadedFleet['fleet']['nsxManagers'] {
  const chosen = new Set(pickVcenters(loaded.fleet, names).map((v) => v.name));
  return loaded.fleet.nsxManagers.filter(
    (m) => names === undefined || (m.vcenter !== undefined && chosen.has(m.vcenter)),
  );
}

/** Those NSX Managers with their connection settings (the call timeout from `env`). */
export async function fleetNsxTargets(
  loaded: LoadedFleet,
  names: readonly string[] | undefined,
  passwordFor: PasswordFor,
  env: NodeJS.ProcessEnv,
): Promise<FleetNsxTarget[]> {
  const out: FleetNsxTarget[] = [];
  for (const m of fleetNsxManagers(loaded, names)) {
    const s = fleetServer(loaded.fleet, m);
    const where = `${loaded.file}: NSX Manager ${m.name}`;
    const { username, password } = await credentialsOf(s, where, 'manager', passwordFor);
    const trust = trustPolicyFrom({
      ...(s.insecure === true ? { insecure: true } : {}),
      ...(s.caFile !== undefined ? { caFile: s.caFile } : {}),
      ...(s.thumbprint !== undefined ? { thumbprint: s.thumbprint } : {}),
    });
    const timeoutMs = callTimeoutMs(undefined, env);
    out.push({
      name: m.name,
      ...(m.vcenter !== undefined ? { vcenter: m.vcenter } : {}),
      settings: { url: s.url, username, password, trust, timeoutMs },
    });
  }
  return out;
}

async function connectionOf(
  loaded: LoadedFleet,
  v: FleetVcenter,
  passwordFor: PasswordFor,
): Promise<ConnectOptions> {
  const s = fleetServer(loaded.fleet, v);
  const where = `${loaded.file}: vCenter ${v.name}`;
  const { url } = normaliseUrl(s.url);
  if (s.thumbprint !== undefined) parseThumbprint(s.thumbprint);
  const { username, password } = await credentialsOf(s, where, 'vCenter', passwordFor);
  return {
    url,
    username,
    password,
    ...(s.insecure === true ? { insecure: true } : {}),
    ...(s.caFile !== undefined ? { caFile: s.caFile } : {}),
    ...(s.thumbprint !== undefined ? { thumbprint: s.thumbprint } : {}),
  };
}

/** A server's user name (from the fleet file) and password (from the caller), never logged. */
async function credentialsOf(
  s: FleetServer,
  where: string,
  what: 'vCenter' | 'manager',
  passwordFor: PasswordFor,
): Promise<{ username: string; password: string }> {
  if (s.username === undefined) {
    throw new InputError(`${where} has no username`, {
      hint: `set username on the ${what}, or defaults.username`,
    });
  }
  const password = await passwordFor({
    name: s.name,
    username: s.username,
    ...(s.passwordEnv !== undefined ? { passwordEnv: s.passwordEnv } : {}),
    where,
  });
  registerSecret(password);
  return { username: s.username, password };
}
