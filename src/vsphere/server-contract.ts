/**
 * The server contract: how this server's SetEntityPermissions treats the principals it is
 * not sent, and whether ManagedEntity.name arrives escaped. Decided once per session, before
 * any write, and fail closed: a server drperm cannot place is never written to.
 *
 * - A real vCenter adds or updates per principal (vSphere API reference,
 *   AuthorizationManager.SetEntityPermissions) and returns names with `%`, `/` and `\`
 *   escaped (ManagedEntity.name).
 * - The govmomi simulator (vcsim) replaces the entity's whole permission list and returns
 *   raw names. It announces itself with its fixed default ServiceContent.about.instanceUuid
 *   and with the `vcsim.server.url` server setting.
 *
 * Guessing wrong is not symmetric: sending only the account's permission to a server that
 * replaces the list wipes every other principal on the object (the root Admin included). So
 * "not the simulator" must be proven by a successful settings read, never assumed because
 * the read failed.
 */
import { ServerError } from '../util/errors';
import type { AboutInfo } from './types';

export type PermissionWrites = 'add-or-update' | 'replace';

export interface ServerContract {
  /** What SetEntityPermissions does with principals it is not sent. */
  permissionWrites: PermissionWrites;
  /** ManagedEntity.name arrives escaped (`%25`, `%2f`, `%5c`); false: raw names that drperm escapes. */
  namesEscaped: boolean;
  /** What the decision rests on, for --verbose and error messages. */
  evidence: string;
}

export type ContractDecision =
  { decided: true; contract: ServerContract } | { decided: false; reason: string };

/** vcsim's ServiceContent.about.instanceUuid (its recorded vCenter template; every vcsim has it). */
export const VCSIM_INSTANCE_UUID = 'dbed6e0c-bd88-4ef6-b594-21283e1c677f';
/** OptionManager key only the govmomi simulator sets. */
export const SIMULATOR_SETTING_KEY = 'vcsim.server.url';

/** Outcome of reading the server settings (OptionManager.setting), after its retries. */
export type SettingsRead = { ok: true; keys: ReadonlySet<string> } | { ok: false; error: string };

const SIMULATOR: Omit<ServerContract, 'evidence'> = {
  permissionWrites: 'replace',
  namesEscaped: false,
};
const VCENTER: Omit<ServerContract, 'evidence'> = {
  permissionWrites: 'add-or-update',
  namesEscaped: true,
};

/** True when the service content alone identifies the simulator (no further call needed). */
export function aboutIsSimulator(about: AboutInfo): boolean {
  return about.instanceUuid.toLowerCase() === VCSIM_INSTANCE_UUID;
}

/** The decision from what was read. Pure. */
export function contractFrom(
  about: AboutInfo,
  settings: SettingsRead | undefined,
): ContractDecision {
  if (aboutIsSimulator(about)) {
    return {
      decided: true,
      contract: { ...SIMULATOR, evidence: `instanceUuid ${about.instanceUuid} is vcsim's` },
    };
  }
  if (settings === undefined) {
    return { decided: false, reason: 'the server settings were not read' };
  }
  if (!settings.ok) {
    return {
      decided: false,
      reason: `cannot read the server settings (OptionManager.setting) to tell a vCenter from the simulator: ${settings.error}`,
    };
  }
  if (settings.keys.has(SIMULATOR_SETTING_KEY)) {
    return {
      decided: true,
      contract: { ...SIMULATOR, evidence: `server setting ${SIMULATOR_SETTING_KEY} is present` },
    };
  }
  return {
    decided: true,
    contract: {
      ...VCENTER,
      evidence: `${about.fullName || about.name} (instance ${about.instanceUuid}) without ${SIMULATOR_SETTING_KEY}`,
    },
  };
}

export interface ContractSources {
  about: AboutInfo;
  /** Reads OptionManager.setting; returns its keys. */
  readSettingKeys(): Promise<Iterable<string>>;
}

export interface DecideOptions {
  /** Attempts at reading the settings, counting the first (default 3). */
  attempts?: number;
  /** Delay before the second attempt, doubled for each further one (default 500 ms). */
  delayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Decides the contract. The settings are read (with retries: any failure, SOAP faults
 * included, is tried again) only when the service content does not settle it already.
 */
export async function decideServerContract(
  sources: ContractSources,
  options: DecideOptions = {},
): Promise<ContractDecision> {
  if (aboutIsSimulator(sources.about)) return contractFrom(sources.about, undefined);
  const attempts = Math.max(1, options.attempts ?? 3);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let error = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep((options.delayMs ?? 500) * 2 ** (attempt - 2));
    try {
      const keys = new Set(await sources.readSettingKeys());
      return contractFrom(sources.about, { ok: true, keys });
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
  }
  return contractFrom(sources.about, {
    ok: false,
    error: `${error} (${attempts} attempt${attempts === 1 ? '' : 's'})`,
  });
}

/** Raised before any write when the contract is not known: nothing was changed (exit 3). */
export class UndecidedContractError extends ServerError {
  constructor(server: string, reason: string) {
    super(
      `refusing to change permissions on ${server}: cannot tell how its SetEntityPermissions treats other principals (${reason}); nothing was changed`,
      {
        hint: 'check the connection and that the account may read the server settings (System.View on the root folder), then run again',
      },
    );
  }
}

/** The contract for a write; throws UndecidedContractError when it is not known. */
export function requireContract(decision: ContractDecision, server: string): ServerContract {
  if (decision.decided) return decision.contract;
  throw new UndecidedContractError(server, decision.reason);
}
