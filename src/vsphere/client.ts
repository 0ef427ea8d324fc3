/**
 * VimClient: the vim25 methods drperm uses, on one logged-in session. Create it with
 * VimClient.connect (or better withSession, which guarantees the logout).
 */
import { ServerError } from '../util/errors';
import { registerSecret, type Logger } from '../util/log';
import {
  decodeElementDescription,
  decodePermission,
  decodePrivilege,
  decodeRetrieveResult,
  decodeRole,
  decodeServiceContent,
  decodeUserSearchResult,
  isMoRef,
  type ObjectContent,
  type PropertyValue,
} from './decode';
import { NotAuthenticatedFault } from './faults';
import * as rq from './requests';
import { debugDirObserver } from './call-log';
import { SoapConnection, type SoapConnectionOptions } from './soap';
import { trustPolicyFrom } from './tls';
import { HttpsTransport } from './transport';
import type {
  AuthorizationPrivilege,
  AuthorizationRole,
  ConnectOptions,
  MoRef,
  PrivilegeDescription,
  ServerQuirks,
  ServiceContent,
  UserSearchResult,
  VimPermission,
} from './types';
import { child, children, childText, text, toMoRef, type XmlNode } from './xml-parse';

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_IN_FLIGHT = 8;
/** OptionManager key only the govmomi simulator sets. */
export const SIMULATOR_SETTING_KEY = 'vcsim.server.url';

export interface ViewPageOptions {
  /** Managed object types the view holds, e.g. ['ManagedEntity']. */
  types: readonly string[];
  /** Properties to read, per type (subtypes match, e.g. ManagedEntity for all). */
  propSet: readonly rq.PropertySpec[];
  /** maxObjects per page. */
  pageSize: number;
  recursive?: boolean;
}

export class VimClient {
  private loggedIn = false;
  /** Counts re-logins, so that calls failing together with NotAuthenticated log in again once. */
  private sessionGeneration = 0;
  private relogin: Promise<void> | undefined;
  quirks: ServerQuirks = { setEntityPermissionsReplaces: false };

  private constructor(
    private readonly soap: SoapConnection,
    private readonly transport: HttpsTransport,
    readonly serviceContent: ServiceContent,
    private readonly credentials: { username: string; password: string },
    private readonly log: Logger,
  ) {}

  /** RetrieveServiceContent, Login, and detection of simulator quirks. */
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
      const response = await soap.call(rq.retrieveServiceContent());
      const content = decodeServiceContent(requiredReturn(response, 'RetrieveServiceContent'));
      soap.setApiVersion(content.about.apiVersion);
      const client = new VimClient(soap, transport, content, options, log);
      await client.login();
      client.quirks = { setEntityPermissionsReplaces: await client.isSimulator() };
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

  private async login(): Promise<void> {
    const { username, password } = this.credentials;
    await this.soap.call(rq.login(this.serviceContent.sessionManager, username, password));
    this.loggedIn = true;
    this.log.debug(`logged in to ${this.transport.url.host} as ${username}`);
  }

  /** Ends the session (idempotent) and closes the connections. Never throws. */
  async logout(): Promise<void> {
    if (this.loggedIn) {
      this.loggedIn = false;
      try {
        await this.soap.call(rq.logout(this.serviceContent.sessionManager));
        this.log.debug('logged out');
      } catch (err) {
        this.log.debug(`logout failed: ${(err as Error).message}`);
      }
    }
    this.soap.clearSession();
    this.transport.close();
  }

  /**
   * A call on the session; one re-login and retry if the session was lost (NotAuthenticated).
   * Calls in flight together share one re-login: a call that fails after another one already
   * logged in again is simply repeated, so no stray sessions are left on the server.
   */
  private async invoke(req: rq.SoapRequest): Promise<XmlNode> {
    const generation = this.sessionGeneration;
    try {
      return await this.soap.call(req);
    } catch (err) {
      if (!(err instanceof NotAuthenticatedFault) || !this.loggedIn) throw err;
      if (generation === this.sessionGeneration) {
        this.log.debug(`${req.method}: session not authenticated; logging in again`);
        this.relogin ??= this.loginAgain().finally(() => {
          this.relogin = undefined;
        });
      }
      if (this.relogin) await this.relogin;
      return this.soap.call(req);
    }
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

  /** Reads properties of one object; undefined when the server returned nothing for it. */
  async retrieveObject(obj: MoRef, pathSet: readonly string[]): Promise<ObjectContent | undefined> {
    const req = rq.retrievePropertiesEx(
      this.serviceContent.propertyCollector,
      [{ type: obj.type, pathSet }],
      { obj },
    );
    const result = decodeRetrieveResult(child(await this.invoke(req), 'returnval'));
    if (result.token) await this.cancelRetrieve(result.token);
    return result.objects[0];
  }

  private async property(obj: MoRef, path: string): Promise<PropertyValue | undefined> {
    return (await this.retrieveObject(obj, [path]))?.props.get(path);
  }

  /**
   * Pages through every object of a ContainerView on `container`. The view is destroyed and
   * an unfinished token cancelled however the iteration ends (done, break or error).
   */
  async *viewPages(container: MoRef, options: ViewPageOptions): AsyncGenerator<ObjectContent[]> {
    const sc = this.serviceContent;
    const created = await this.invoke(
      rq.createContainerView(sc.viewManager, container, options.types, options.recursive ?? true),
    );
    const view = toMoRef(child(created, 'returnval'));
    if (!view) throw new ServerError('CreateContainerView returned no view');
    let token: string | undefined;
    let pending: Promise<XmlNode> | undefined;
    try {
      let result = decodeRetrieveResult(
        child(
          await this.invoke(
            rq.retrievePropertiesEx(
              sc.propertyCollector,
              options.propSet,
              { view },
              options.pageSize,
            ),
          ),
          'returnval',
        ),
      );
      for (;;) {
        token = result.token;
        // Ask for the next page before handing this one out: the server prepares it while
        // the caller works on this one.
        pending =
          token === undefined
            ? undefined
            : this.invoke(rq.continueRetrievePropertiesEx(sc.propertyCollector, token));
        pending?.catch(() => undefined); // awaited below, or in finally when abandoned
        yield result.objects;
        if (pending === undefined) break;
        const response = await pending;
        pending = undefined;
        result = decodeRetrieveResult(child(response, 'returnval'));
      }
    } finally {
      if (pending !== undefined) {
        // Abandoned while the next page was on its way: its token is the one still open.
        token = undefined;
        try {
          token = decodeRetrieveResult(child(await pending, 'returnval')).token;
        } catch {
          // the request failed: nothing is open on the server
        }
      }
      if (token !== undefined) await this.cancelRetrieve(token);
      try {
        await this.soap.call(rq.destroyView(view));
      } catch (err) {
        this.log.debug(`DestroyView ${view.value} failed: ${(err as Error).message}`);
      }
    }
  }

  private async cancelRetrieve(token: string): Promise<void> {
    try {
      await this.soap.call(
        rq.cancelRetrievePropertiesEx(this.serviceContent.propertyCollector, token),
      );
    } catch (err) {
      this.log.debug(`CancelRetrievePropertiesEx failed: ${(err as Error).message}`);
    }
  }

  // --- AuthorizationManager --------------------------------------------------------------

  async roleList(): Promise<AuthorizationRole[]> {
    return nodeItems(await this.property(this.authorizationManager, 'roleList')).map(decodeRole);
  }

  async privilegeList(): Promise<AuthorizationPrivilege[]> {
    return nodeItems(await this.property(this.authorizationManager, 'privilegeList')).map(
      decodePrivilege,
    );
  }

  /** Privilege labels and summaries (AuthorizationManager.description); empty when the server has none. */
  async privilegeDescriptions(): Promise<PrivilegeDescription[]> {
    const description = await this.property(this.authorizationManager, 'description');
    if (!isNode(description)) return [];
    return children(description, 'privilege').map(decodeElementDescription);
  }

  async retrieveAllPermissions(): Promise<VimPermission[]> {
    const response = await this.invoke(rq.retrieveAllPermissions(this.authorizationManager));
    return children(response, 'returnval').map(decodePermission);
  }

  async retrieveEntityPermissions(entity: MoRef, inherited: boolean): Promise<VimPermission[]> {
    const response = await this.invoke(
      rq.retrieveEntityPermissions(this.authorizationManager, entity, inherited),
    );
    return children(response, 'returnval').map(decodePermission);
  }

  /**
   * Returns the id the server gave the new role, read back by name: vcsim 0.24 always
   * answers 0 here (a simulator deviation), and ids must never be predicted.
   */
  async addAuthorizationRole(name: string, privIds: readonly string[]): Promise<number> {
    const response = await this.invoke(
      rq.addAuthorizationRole(this.authorizationManager, name, privIds),
    );
    const returned = Number(childText(response, 'returnval'));
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
    );
  }

  async removeAuthorizationRole(roleId: number, failIfUsed: boolean): Promise<void> {
    await this.invoke(rq.removeAuthorizationRole(this.authorizationManager, roleId, failIfUsed));
  }

  /**
   * The raw call. A real vCenter adds or updates per principal; the simulator replaces all
   * permissions of the entity (see `quirks.setEntityPermissionsReplaces`). `entity` fields of
   * the permissions are not sent, as the API reference asks.
   */
  async setEntityPermissions(entity: MoRef, permissions: readonly VimPermission[]): Promise<void> {
    const bare = permissions.map(({ principal, group, roleId, propagate }) => ({
      principal,
      group,
      roleId,
      propagate,
    }));
    await this.invoke(rq.setEntityPermissions(this.authorizationManager, entity, bare));
  }

  async removeEntityPermission(entity: MoRef, user: string, isGroup: boolean): Promise<void> {
    await this.invoke(rq.removeEntityPermission(this.authorizationManager, entity, user, isGroup));
  }

  // --- UserDirectory, SearchIndex, OptionManager ------------------------------------------

  async retrieveUserGroups(search: rq.UserSearch): Promise<UserSearchResult[]> {
    const dir = this.serviceContent.userDirectory;
    if (!dir)
      throw new ServerError(
        'this server has no UserDirectory (is it an ESXi host rather than vCenter?)',
      );
    const response = await this.invoke(rq.retrieveUserGroups(dir, search));
    return children(response, 'returnval').map(decodeUserSearchResult);
  }

  /** `path` as SearchIndex takes it: `DC1/vm/Tenant1` (no leading '/'); undefined when nothing is there. */
  async findByInventoryPath(path: string): Promise<MoRef | undefined> {
    const response = await this.invoke(
      rq.findByInventoryPath(this.serviceContent.searchIndex, path),
    );
    return toMoRef(child(response, 'returnval'));
  }

  /** Server settings (OptionManager.setting) as key → string value. */
  async settings(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!this.serviceContent.setting) return out;
    for (const option of nodeItems(await this.property(this.serviceContent.setting, 'setting'))) {
      const key = childText(option, 'key');
      if (key !== undefined) out.set(key, text(child(option, 'value')));
    }
    return out;
  }

  private async isSimulator(): Promise<boolean> {
    try {
      return (await this.settings()).has(SIMULATOR_SETTING_KEY);
    } catch (err) {
      // An account without System.View on the settings cannot tell; assume a real vCenter.
      this.log.debug(
        `cannot read server settings to detect the simulator: ${(err as Error).message}`,
      );
      return false;
    }
  }
}

function requiredReturn(response: XmlNode, method: string): XmlNode {
  const node = child(response, 'returnval');
  if (!node) throw new ServerError(`${method} returned nothing`);
  return node;
}

function isNode(value: PropertyValue | undefined): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isMoRef(value);
}

/** The items of an ArrayOf<complex type> property value (empty when unset). */
function nodeItems(value: PropertyValue | undefined): XmlNode[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isNode);
}
