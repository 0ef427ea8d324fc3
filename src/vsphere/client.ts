/**
 * VimClient: the vim25 methods drperm uses, on one logged-in session. Create it with
 * VimClient.connect (or better withSession, which guarantees the logout).
 */
import { ServerError } from '../util/errors';
import { registerSecret, type Logger } from '../util/log';
import {
  arrayOf,
  authorizationDescription,
  optionValue,
  permission,
  privilege,
  retrieveResult,
  returnsMany,
  returnsNothing,
  returnsOne,
  role,
  serviceContent,
  userSearchResult,
  type ObjectContent,
  type PropertyDecoders,
  type ResponseDecoder,
  type RetrieveSink,
} from './decode';
import {
  faultFromRecord,
  MissingPropertyError,
  NotAuthenticatedFault,
  type VimFault,
} from './faults';
import * as rq from './requests';
import { decideServerContract, type ContractDecision } from './server-contract';
import { debugDirObserver } from './call-log';
import { SoapConnection, type SoapConnectionOptions } from './soap';
import { DEFAULT_CALL_TIMEOUT_S } from '../net/timeouts';
import { trustPolicyFrom } from '../net/tls';
import { HttpsTransport } from './transport';
import type {
  AuthorizationPrivilege,
  AuthorizationRole,
  ConnectOptions,
  MoRef,
  PrivilegeDescription,
  ServiceContent,
  UserSearchResult,
  VimPermission,
} from './types';
import { moRef, text, type Decoder } from './xml-decode';

export const DEFAULT_TIMEOUT_MS = DEFAULT_CALL_TIMEOUT_S * 1000;
export const DEFAULT_MAX_IN_FLIGHT = 8;
export { SIMULATOR_SETTING_KEY } from './server-contract';

export interface ViewPageOptions {
  /** Managed object types the view holds, e.g. ['ManagedEntity']. */
  types: readonly string[];
  /** Properties to read, per type (subtypes match, e.g. ManagedEntity for all). */
  propSet: readonly rq.PropertySpec[];
  /** maxObjects per page. */
  pageSize: number;
  recursive?: boolean;
  /** Decoders for particular properties; the others are decoded by their xsi:type. */
  decoders?: PropertyDecoders;
  /** Hand out objects whose properties the session may not read (a tenant's discovery) instead of failing. */
  allowMissing?: boolean;
}

/** Called with each object of a view; returning false stops the retrieval. */
export type ObjectHandler = (oc: ObjectContent) => void | boolean;

export class VimClient {
  private loggedIn = false;
  /** Counts re-logins, so that calls failing together with NotAuthenticated log in again once. */
  private sessionGeneration = 0;
  private relogin: Promise<void> | undefined;
  /** How this server writes permissions and returns names; decided at connect, fail closed. */
  contract: ContractDecision = { decided: false, reason: 'not connected' };

  private constructor(
    private readonly soap: SoapConnection,
    private readonly transport: HttpsTransport,
    readonly serviceContent: ServiceContent,
    private readonly credentials: { username: string; password: string },
    private readonly log: Logger,
  ) {}

  /** RetrieveServiceContent, Login, and the server contract (see server-contract.ts). */
  static async connect(
    options: ConnectOptions,
    log: Logger,
    soapOptions?: SoapConnectionOptions,
  ): Promise<VimClient> {
    registerSecret(options.password);
    const trust = trustPolicyFrom(options);
    if (trust.mode === 'insecure') {
      log.warn(
        'TLS certificate verification is disabled (--insecure); prefer --thumbprint or --ca-file',
      );
    }
    const transport = new HttpsTransport({
      url: new URL(options.url),
      trust,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    });
    try {
      const observer =
        soapOptions?.observer ??
        (options.debugDir === undefined ? undefined : debugDirObserver(options.debugDir));
      const soap = new SoapConnection(transport, log, {
        ...soapOptions,
        ...(observer ? { observer } : {}),
      });
      const content = await soap.call(rq.retrieveServiceContent(), returnsOne(serviceContent));
      if (!content) throw new ServerError('RetrieveServiceContent returned nothing');
      soap.setApiVersion(content.about.apiVersion);
      const client = new VimClient(soap, transport, content, options, log);
      await client.login();
      client.contract = await decideServerContract({
        about: content.about,
        readSettingKeys: async () => {
          // No OptionManager proves nothing: fail closed rather than read an empty list.
          if (!content.setting) throw new Error('the service content names no OptionManager');
          return (await client.settings()).keys();
        },
      });
      log.debug(
        client.contract.decided
          ? `server contract: SetEntityPermissions ${client.contract.contract.permissionWrites}, names ${client.contract.contract.namesEscaped ? 'escaped' : 'raw'} (${client.contract.contract.evidence})`
          : `server contract undecided: ${client.contract.reason}; permission writes will be refused`,
      );
      return client;
    } catch (err) {
      transport.close();
      throw err;
    }
  }

  /** The server URL (never with credentials in it). */
  get url(): string {
    return this.transport.url.toString();
  }

  get username(): string {
    return this.credentials.username;
  }

  get about(): ServiceContent['about'] {
    return this.serviceContent.about;
  }

  /**
   * Whether ManagedEntity.name arrives escaped (%25, %2f, %5c), as vCenter sends it, or raw,
   * as the govmomi simulator sends it. Paths are built from it (model/paths PathOptions).
   * Undecided: vCenter's form (reads only; writes are refused then).
   */
  get namesEscaped(): boolean {
    return this.contract.decided ? this.contract.contract.namesEscaped : true;
  }

  private async login(): Promise<void> {
    const { username, password } = this.credentials;
    await this.soap.call(
      rq.login(this.serviceContent.sessionManager, username, password),
      returnsNothing,
    );
    this.loggedIn = true;
    this.log.debug(`logged in to ${this.transport.url.host} as ${username}`);
  }

  /** Ends the session (idempotent) and closes the connections. Never throws. */
  async logout(): Promise<void> {
    if (this.loggedIn) {
      this.loggedIn = false;
      try {
        await this.soap.call(rq.logout(this.serviceContent.sessionManager), returnsNothing);
        this.log.debug('logged out');
      } catch (err) {
        this.log.debug(`logout failed: ${(err as Error).message}`);
      }
    }
    this.soap.clearSession();
    this.transport.close();
  }

  /**
   * Work on the session; one re-login and retry if the session was lost (NotAuthenticated,
   * as a fault or in a missingSet). Calls in flight together share one re-login: a call that
   * fails after another one already logged in again is simply repeated, so no stray sessions
   * are left on the server.
   */
  private async onSession<T>(what: string, run: () => Promise<T>): Promise<T> {
    const generation = this.sessionGeneration;
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof NotAuthenticatedFault) || !this.loggedIn) throw err;
      if (generation === this.sessionGeneration) {
        this.log.debug(`${what}: session not authenticated; logging in again`);
        this.relogin ??= this.loginAgain().finally(() => {
          this.relogin = undefined;
        });
      }
      if (this.relogin) await this.relogin;
      return run();
    }
  }

  /** A request built outside this class (./user-privileges.ts), with the same one re-login as every call. */
  call<T>(req: rq.SoapRequest, returns: ResponseDecoder<T>): Promise<T> {
    return this.invoke(req, returns);
  }

  private invoke<T>(req: rq.SoapRequest, returns: ResponseDecoder<T>): Promise<T> {
    return this.onSession(req.method, () => this.soap.call(req, returns));
  }

  private async loginAgain(): Promise<void> {
    this.soap.clearSession();
    await this.login();
    this.sessionGeneration++;
  }

  private get authorizationManager(): MoRef {
    return this.serviceContent.authorizationManager;
  }

  // --- PropertyCollector -----------------------------------------------------------------

  /**
   * Reads properties of one object; undefined when the server returned nothing for it. A
   * requested property in missingSet is an error (drperm asks only for what it needs).
   */
  async retrieveObject(
    obj: MoRef,
    pathSet: readonly string[],
    decoders: PropertyDecoders = {},
  ): Promise<ObjectContent | undefined> {
    const req = rq.retrievePropertiesEx(
      this.serviceContent.propertyCollector,
      [{ type: obj.type, pathSet }],
      { obj },
    );
    return this.onSession(req.method, async () => {
      let found: ObjectContent | undefined;
      const token = await this.soap.call(
        req,
        returnsOne(
          retrieveResult({
            decoders,
            object: (oc) => {
              found ??= oc;
            },
          }),
        ),
      );
      if (token) await this.cancelRetrieve(token);
      if (found) checkMissing(req.method, found);
      return found;
    });
  }

  private async property<T>(obj: MoRef, path: string, decoder: Decoder<T>): Promise<T | undefined> {
    return (await this.retrieveObject(obj, [path], { [path]: decoder }))?.props.get(path) as
      T | undefined;
  }

  /**
   * Every object of a ContainerView on `container`, handed to `onObject` as each is decoded
   * (memory: one object, whatever the page size). The next page is asked for as soon as a
   * page's token is read, so the server prepares it while this one is decoded. The view is
   * destroyed and an unfinished token cancelled however the retrieval ends (done, stopped by
   * the handler, or error). A requested property in missingSet is an error.
   */
  async viewObjects(
    container: MoRef,
    options: ViewPageOptions,
    onObject: ObjectHandler,
  ): Promise<void> {
    const sc = this.serviceContent;
    const view = await this.invoke(
      rq.createContainerView(sc.viewManager, container, options.types, options.recursive ?? true),
      returnsOne(moRef),
    );
    if (!view) throw new ServerError('CreateContainerView returned no view');
    /** The token the server still holds for us. */
    let open: string | undefined;
    /**
     * Pages asked for and not yet awaited, in order. Bodies stream in and are decoded as they
     * come, so a page can read its token (and ask for the next) while the one before it is
     * still being decoded: each is awaited, none replaces another.
     */
    const pending: Promise<string | undefined>[] = [];
    let stopped = false;
    let finished = false;
    const sink: RetrieveSink = {
      object: (oc) => {
        if (stopped) return;
        if (options.allowMissing !== true) checkMissing('RetrievePropertiesEx', oc);
        if (onObject(oc) === false) stopped = true;
      },
      token: (token) => {
        open = token;
        if (stopped || finished) return;
        const next = page(rq.continueRetrievePropertiesEx(sc.propertyCollector, token));
        next.catch(() => undefined); // awaited below, or in finally when abandoned
        pending.push(next);
      },
    };
    if (options.decoders) sink.decoders = options.decoders;
    const decodePage = returnsOne(retrieveResult(sink));
    const page = async (req: rq.SoapRequest): Promise<string | undefined> => {
      try {
        const token = await this.invoke(req, decodePage);
        if (token === undefined) open = undefined; // the last page: nothing left open
        return token;
      } catch (err) {
        open = undefined; // a failed page leaves nothing we could continue or cancel
        throw err;
      }
    };
    try {
      await page(
        rq.retrievePropertiesEx(sc.propertyCollector, options.propSet, { view }, options.pageSize),
      );
      while (pending.length > 0 && !stopped) await pending.shift();
    } finally {
      finished = true; // no more pages asked for, whatever is still streaming in
      while (pending.length > 0) await pending.shift()!.catch(() => undefined);
      if (open !== undefined) await this.cancelRetrieve(open);
      try {
        await this.soap.call(rq.destroyView(view), returnsNothing);
      } catch (err) {
        this.log.debug(`DestroyView ${view.value} failed: ${(err as Error).message}`);
      }
    }
  }

  private async cancelRetrieve(token: string): Promise<void> {
    try {
      await this.soap.call(
        rq.cancelRetrievePropertiesEx(this.serviceContent.propertyCollector, token),
        returnsNothing,
      );
    } catch (err) {
      this.log.debug(`CancelRetrievePropertiesEx failed: ${(err as Error).message}`);
    }
  }

  // --- AuthorizationManager --------------------------------------------------------------

  async roleList(): Promise<AuthorizationRole[]> {
    return (await this.property(this.authorizationManager, 'roleList', arrayOf(role))) ?? [];
  }

  async privilegeList(): Promise<AuthorizationPrivilege[]> {
    return (
      (await this.property(this.authorizationManager, 'privilegeList', arrayOf(privilege))) ?? []
    );
  }

  /** Privilege labels and summaries (AuthorizationManager.description); empty when the server has none. */
  async privilegeDescriptions(): Promise<PrivilegeDescription[]> {
    return (
      (await this.property(this.authorizationManager, 'description', authorizationDescription)) ??
      []
    );
  }

  async retrieveAllPermissions(): Promise<VimPermission[]> {
    return this.invoke(
      rq.retrieveAllPermissions(this.authorizationManager),
      returnsMany(permission),
    );
  }

  async retrieveEntityPermissions(entity: MoRef, inherited: boolean): Promise<VimPermission[]> {
    return this.invoke(
      rq.retrieveEntityPermissions(this.authorizationManager, entity, inherited),
      returnsMany(permission),
    );
  }

  /**
   * Returns the id the server gave the new role, read back by name: vcsim 0.24 always
   * answers 0 here (a simulator deviation), and ids must never be predicted.
   */
  async addAuthorizationRole(name: string, privIds: readonly string[]): Promise<number> {
    const returned = Number(
      await this.invoke(
        rq.addAuthorizationRole(this.authorizationManager, name, privIds),
        returnsOne(text),
      ),
    );
    const stored = (await this.roleList()).find((r) => r.name === name);
    if (stored) {
      if (stored.roleId !== returned) {
        this.log.debug(
          `AddAuthorizationRole returned id ${returned}; the role list says ${stored.roleId}`,
        );
      }
      return stored.roleId;
    }
    if (!Number.isInteger(returned))
      throw new ServerError('AddAuthorizationRole returned no role id');
    return returned;
  }

  /** `privIds` is the complete new set; `newName` is required even when unchanged. */
  async updateAuthorizationRole(
    roleId: number,
    newName: string,
    privIds: readonly string[],
  ): Promise<void> {
    await this.invoke(
      rq.updateAuthorizationRole(this.authorizationManager, roleId, newName, privIds),
      returnsNothing,
    );
  }

  async removeAuthorizationRole(roleId: number, failIfUsed: boolean): Promise<void> {
    await this.invoke(
      rq.removeAuthorizationRole(this.authorizationManager, roleId, failIfUsed),
      returnsNothing,
    );
  }

  /**
   * The raw call. A real vCenter adds or updates per principal; the simulator replaces all
   * permissions of the entity (`contract.permissionWrites`, server-contract.ts). Every permission
   * is sent with `entity` set to the target (issue 9 §2: the simulator then returns it, so a
   * collection need not locate permissions entity by entity).
   */
  async setEntityPermissions(entity: MoRef, permissions: readonly VimPermission[]): Promise<void> {
    await this.invoke(
      rq.setEntityPermissions(this.authorizationManager, entity, permissions),
      returnsNothing,
    );
  }

  async removeEntityPermission(entity: MoRef, user: string, isGroup: boolean): Promise<void> {
    await this.invoke(
      rq.removeEntityPermission(this.authorizationManager, entity, user, isGroup),
      returnsNothing,
    );
  }

  // --- UserDirectory, SearchIndex, OptionManager ------------------------------------------

  async retrieveUserGroups(search: rq.UserSearch): Promise<UserSearchResult[]> {
    const dir = this.serviceContent.userDirectory;
    if (!dir)
      throw new ServerError(
        'this server has no UserDirectory (is it an ESXi host rather than vCenter?)',
      );
    return this.invoke(rq.retrieveUserGroups(dir, search), returnsMany(userSearchResult));
  }

  /** `path` as SearchIndex takes it: `DC1/vm/Tenant1` (no leading '/'); undefined when nothing is there. */
  async findByInventoryPath(path: string): Promise<MoRef | undefined> {
    return this.invoke(
      rq.findByInventoryPath(this.serviceContent.searchIndex, path),
      returnsOne(moRef),
    );
  }

  /** Server settings (OptionManager.setting) as key → string value. */
  async settings(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!this.serviceContent.setting) return out;
    const options = await this.property(
      this.serviceContent.setting,
      'setting',
      arrayOf(optionValue),
    );
    for (const option of options ?? []) out.set(option.key, option.value);
    return out;
  }
}

/**
 * drperm asks only for properties it needs: one in missingSet is an error naming the object,
 * the property and the fault. A lost session (NotAuthenticated) is thrown as that fault, so
 * the one shared re-login handles it as it handles the fault itself.
 */
export function checkMissing(method: string, oc: ObjectContent): void {
  const first = oc.missing[0];
  if (first === undefined) return;
  const fault: VimFault = faultFromRecord(method, first.fault);
  if (fault instanceof NotAuthenticatedFault) throw fault;
  throw new MissingPropertyError(oc.obj, first.path, fault);
}
