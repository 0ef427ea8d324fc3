/**
 * `--fleet [FILE]` (default drperm.yaml): the fleet file's vCenters with their passwords. A
 * password comes from the environment variable the fleet file names (passwordEnv), else
 * from one prompt per vCenter on a terminal, or from --password-stdin when the run has
 * exactly one vCenter. Passwords are never in the file, on the command line or in logs.
 * The settings of each server are resolved in src/ops/connect.ts.
 */
import { Option, type Command } from 'commander';
import { DEFAULT_FLEET_FILE, loadFleet, pickVcenters, type LoadedFleet } from '../policy/fleet';
import { InputError } from '../util/errors';
import {
  fleetNsxManagers,
  fleetNsxTargets as connectFleetNsx,
  fleetTargets as connectFleet,
  type PasswordRequest,
} from '../ops/connect';
import type { FleetNsxTarget, FleetTarget } from '../ops/fleet';
import type { ResolveEnvironment } from './connection';
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
  const targets = await connectFleet(loaded, opts.vcenter, (s) => passwordOf(s, opts, io));
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
  if (fleetNsxManagers(loaded, opts.vcenter).length > 0 && opts.passwordStdin === true) {
    throw new InputError('--password-stdin reads one password, and the run has NSX Managers too', {
      hint: 'name an environment variable per server with passwordEnv in the fleet file',
    });
  }
  return connectFleetNsx(
    loaded,
    opts.vcenter,
    (s) => passwordOf(s, opts, io),
    io.env ?? process.env,
  );
}

async function passwordOf(
  server: PasswordRequest,
  opts: FleetFlags,
  io: ResolveEnvironment,
): Promise<string> {
  const { name, username, passwordEnv, where } = server;
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
