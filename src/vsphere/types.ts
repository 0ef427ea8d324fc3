/** Plain data types of the vim25 API as drperm uses them. Field names follow the WSDL. */

/** ManagedObjectReference. `value` is an opaque id: never parse it (simulator datastore ids contain '/' and '@'). */
export interface MoRef {
  type: string;
  value: string;
}

export interface VimPermission {
  /** Absent in requests (the API says to leave it unset) and, on the simulator, in some results. */
  entity?: MoRef;
  principal: string;
  group: boolean;
  roleId: number;
  propagate: boolean;
}

export interface AuthorizationRole {
  roleId: number;
  system: boolean;
  name: string;
  label?: string;
  summary?: string;
  privileges: string[];
}

export interface AuthorizationPrivilege {
  privId: string;
  onParent: boolean;
  name: string;
  privGroupName: string;
}

/** AuthorizationManager.description.privilege[]: the vSphere Client's label for a privilege id. */
export interface PrivilegeDescription {
  key: string;
  label: string;
  summary: string;
}

export interface UserSearchResult {
  principal: string;
  fullName?: string;
  group: boolean;
}

export interface AboutInfo {
  name: string;
  fullName: string;
  vendor: string;
  version: string;
  build: string;
  apiType: string;
  apiVersion: string;
  instanceUuid: string;
}

/** The subset of ServiceContent drperm needs. */
export interface ServiceContent {
  about: AboutInfo;
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager: MoRef;
  sessionManager: MoRef;
  authorizationManager: MoRef;
  userDirectory?: MoRef;
  searchIndex: MoRef;
  /** OptionManager with the server settings (VpxSettings on vCenter). */
  setting?: MoRef;
}

export interface ConnectOptions {
  /** e.g. https://vcenter.example.com/sdk (no credentials in it). */
  url: string;
  username: string;
  password: string;
  /** Skip certificate verification (logged as a warning). */
  insecure?: boolean;
  /** PEM file with the CA(s) that signed the server certificate. */
  caFile?: string;
  /** SHA-256 or SHA-1 of the server's leaf certificate, hex with or without colons. */
  thumbprint?: string;
  /** Per-request timeout; default 120 s. */
  timeoutMs?: number;
  /** Requests in flight at once; default 8. */
  maxInFlight?: number;
  /** --debug-dir: every SOAP request and response written to files there (src/vsphere/call-log.ts). */
  debugDir?: string;
}
