/**
 * `--fleet [FILE]` (default drperm.yaml): the fleet file's vCenters with their passwords. A
 * password comes from the environment variable the fleet file names (passwordEnv), else
 * from one prompt per vCenter on a terminal, or from --password-stdin when the run has
 * exactly one vCenter. Passwords are never in the file, on the command line or in logs.
 */
import { Option, type Command } from 'commander';
import {
  DEFAULT_FLEET_FILE,
  fleetServer,
  loadFleet,
  pickVcenters,
  type FleetVcenter,
  type LoadedFleet,
} from '../policy/fleet';
import { InputError } from '../util/errors';
import { registerSecret } from '../util/log';
import { callTimeoutMs } from '../net/timeouts';
import { parseThumbprint, trustPolicyFrom } from '../net/tls';
import type { ConnectOptions } from '../vsphere/types';
import type { FleetNsxTarget, FleetTarget } from '../ops/fleet';
import { normaliseUrl, type ResolveEnvironment } from './connection';
import { promptPassword, readPasswordFromStdin } from './password-prompt';

export interface FleetFlags {
  /** true when given without a file name (then drperm.yaml). */
  fleet?: string | true;
  vcenter?: string[];
  passwordStdin?: boolean;
}

export function addFleetOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--fleet [file]',
        `fleet file naming several vCenters (default ${DEFAULT_FLEET_FILE}; README "Dedicated and managed-service models")`,
      ),
    )
    .addOption(
      new Option('--vcenter <name...>', 'with --fleet: only these vCenters of the fleet file'),
    );
}

export function fleetFile(opts: FleetFlags): string | undefined {
  if (opts.fleet === undefined) return undefined;
  return opts.fleet === true ? DEFAULT_FLEET_FILE : opts.fleet;
}

/** Loads the fleet file and resolves each chosen vCenter's connection, asking for passwords once each. */
export async function fleetTargets(
  opts: FleetFlags,
  io: ResolveEnvironment = {},
): Promise<{ loaded: LoadedFleet; targets: FleetTarget[] }> {
  const file = fleetFile(opts);
  if (file === undefined) throw new Error('fleetTargets needs --fleet');
  const loaded = await loadFleet(file);
  const chosen = pickVcenters(loaded.fleet, opts.vcenter);
  if (opts.passwordStdin === true && chosen.length !== 1) {
    throw new InputError(
      `--password-stdin reads one password, and the run has ${chosen.length} vCenters`,
      {
        hint: 'name an environment variable per vCenter with passwordEnv in the fleet file, or pick one with --vcenter NAME',
      },
    );
  }
  const targets: FleetTarget[] = [];
  for (const v of chosen)
    targets.push({ name: v.name, connection: await connectionOf(loaded, v, opts, io) });
  return { loaded, targets };
}

/**
 * The NSX Managers of the fleet file that serve the chosen vCenters (all of them without
 * --vcenter), with their passwords (passwordEnv or a prompt, like the vCenters').
 */
export async function fleetNsxTargets(
  loaded: LoadedFleet,
  opts: FleetFlags,
  io: ResolveEnvironment = {},
): Promise<FleetNsxTarget[]> {
  const chosen = new Set(pickVcenters(loaded.fleet, opts.vcenter).map((v) => v.name));
  const managers = loaded.fleet.nsxManagers.filter(
    (m) => opts.vcenter === undefined || (m.vcenter !== undefined && chosen.has(m.vcenter)),
  );
  if (managers.length > 0 && opts.passwordStdin === true) {
    throw new InputError('--password-stdin reads one password, and the run has NSX Managers too', {
      hint: 'name an environment variable per server with passwordEnv in the fleet file',
    });
  }
  const out: FleetNsxTarget[] = [];
  for (const m of managers) {
    const s = fleetServer(loaded.fleet, m);
    const where = `${loaded.file}: NSX Manager ${m.name}`;
    if (s.username === undefined)
      throw new InputError(`${where} has no username`, {
        hint: 'set username on the manager, or defaults.username',
      });
    const trust = trustPolicyFrom({
      ...(s.insecure === true ? { insecure: true } : {}),
      ...(s.caFile !== undefined ? { caFile: s.caFile } : {}),
      ...(s.thumbprint !== undefined ? { thumbprint: s.thumbprint } : {}),
    });
    const password = await passwordOf(m.name, s.username, s.passwordEnv, where, opts, io);
    registerSecret(password);
    const timeoutMs = callTimeoutMs(undefined, io.env ?? process.env);
    out.push({
      name: m.name,
      ...(m.vcenter !== undefined ? { vcenter: m.vcenter } : {}),
      settings: { url: s.url, username: s.username, password, trust, timeoutMs },
    });
  }
  return out;
}

async function connectionOf(
  loaded: LoadedFleet,
  v: FleetVcenter,
  opts: FleetFlags,
  io: ResolveEnvironment,
): Promise<ConnectOptions> {
  const s = fleetServer(loaded.fleet, v);
  const where = `${loaded.file}: vCenter ${v.name}`;
  const { url } = normaliseUrl(s.url);
  if (s.username === undefined) {
    throw new InputError(`${where} has no username`, {
      hint: 'set username on the vCenter, or defaults.username',
    });
  }
  if (s.thumbprint !== undefined) parseThumbprint(s.thumbprint);
  const password = await passwordOf(s.name, s.username, s.passwordEnv, where, opts, io);
  registerSecret(password);
  return {
    url,
    username: s.username,
    password,
    ...(s.insecure === true ? { insecure: true } : {}),
    ...(s.caFile !== undefined ? { caFile: s.caFile } : {}),
    ...(s.thumbprint !== undefined ? { thumbprint: s.thumbprint } : {}),
  };
}

async function passwordOf(
  name: string,
  username: string,
  passwordEnv: string | undefined,
  where: string,
  opts: FleetFlags,
  io: ResolveEnvironment,
): Promise<string> {
  if (opts.passwordStdin === true) {
    const password = await (io.readStdin ?? readPasswordFromStdin)();
    if (password === '')
      throw new InputError('--password-stdin was given but standard input was empty');
    return password;
  }
  const env = io.env ?? process.env;
  const fromEnv = passwordEnv !== undefined ? env[passwordEnv] : undefined;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (io.stdinIsTty ?? process.stdin.isTTY === true) {
    const password = await (io.prompt ?? promptPassword)(`Password for ${username} on ${name}: `);
    if (password === '') throw new InputError('no password entered');
    return password;
  }
  throw new InputError(
    passwordEnv !== undefined
      ? `${where}: environment variable ${passwordEnv} (its passwordEnv) is not set`
      : `${where}: no password`,
    {
      hint: 'name an environment variable with passwordEnv in the fleet file and set it, or run on a terminal to be prompted',
    },
  );
}
