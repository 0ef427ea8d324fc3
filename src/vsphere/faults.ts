/**
 * vim25 faults as typed errors. Each carries the fault type, the server's faultstring and
 * the method that failed, with a message a hosting partner can act on. All are ServerErrors
 * (exit 3); callers that expect a fault (e.g. AlreadyExists) catch its class.
 */
import { ServerError } from '../util/errors';
import type { MoRef } from './types';
import type { FaultRecord } from './decode';
import {
  childElement as child,
  childElements as children,
  childText,
  elementMoRef as toMoRef,
  type XmlElement,
} from './xml-decode';

function refText(ref: MoRef | undefined): string {
  return ref ? `${ref.type} ${ref.value}` : 'the object';
}

export interface FaultInit {
  method: string;
  faultType: string;
  faultString: string;
  detail?: XmlElement;
}

/** Any vim25 fault; subclasses below for the ones drperm handles specifically. */
export class VimFault extends ServerError {
  readonly method: string;
  readonly faultType: string;
  readonly faultString: string;
  constructor(init: FaultInit, message?: string, hint?: string) {
    super(
      message ??
        `${init.method} failed with ${init.faultType}: ${init.faultString || 'no details from the server'}`,
      hint === undefined ? undefined : { hint },
    );
    this.method = init.method;
    this.faultType = init.faultType;
    this.faultString = init.faultString;
  }
}

export class NoPermissionFault extends VimFault {
  /** Privileges the session lacks (privilegeId and, since 7.0.3.2, missingPrivileges). */
  readonly privilegeIds: string[];
  readonly object?: MoRef;
  constructor(init: FaultInit) {
    const detail = init.detail;
    const object =
      toMoRef(child(detail, 'object')) ??
      toMoRef(child(child(detail, 'missingPrivileges'), 'entity'));
    const ids = new Set<string>();
    const single = childText(detail, 'privilegeId');
    if (single) ids.add(single);
    for (const m of children(detail, 'missingPrivileges')) {
      for (const p of children(m, 'privilegeIds')) ids.add(p.text);
    }
    const privilegeIds = [...ids];
    const what =
      privilegeIds.length > 0 ? `privilege ${privilegeIds.join(', ')}` : 'a required privilege';
    super(
      init,
      `permission denied: ${init.method} needs ${what} on ${refText(object)}, which the connected account does not have`,
      'connect with an account that holds this privilege, or ask the vCenter administrator to grant it',
    );
    this.privilegeIds = privilegeIds;
    if (object) this.object = object;
  }
}

export class NotAuthenticatedFault extends VimFault {
  constructor(init: FaultInit) {
    super(init, `the vCenter session is not authenticated (${init.method}); it may have expired`);
  }
}

export class InvalidLoginFault extends VimFault {
  constructor(init: FaultInit) {
    super(
      init,
      'login failed: incorrect user name or password',
      'check --username (e.g. administrator@vsphere.local) and the password in DRPERM_PASSWORD or --password-stdin',
    );
  }
}

export class UserNotFoundFault extends VimFault {
  readonly principal: string;
  constructor(init: FaultInit) {
    const principal = childText(init.detail, 'principal') ?? '';
    super(
      init,
      `user or group "${principal}" was not found by vCenter (${init.method})`,
      'check the principal name and its domain, e.g. VSPHERE.LOCAL\\asr-svc',
    );
    this.principal = principal;
  }
}

export class InvalidArgumentFault extends VimFault {
  readonly invalidProperty?: string;
  constructor(init: FaultInit) {
    const prop = childText(init.detail, 'invalidProperty');
    super(
      init,
      `vCenter rejected an argument of ${init.method}${prop ? ` (${prop})` : ''}: ${init.faultString || 'invalid argument'}`,
    );
    if (prop) this.invalidProperty = prop;
  }
}

export class AlreadyExistsFault extends VimFault {
  /** The name that is taken. */
  readonly existingName?: string;
  constructor(init: FaultInit) {
    const name = childText(init.detail, 'name');
    super(init, `${init.method}: "${name ?? '(unnamed)'}" already exists`);
    if (name !== undefined) this.existingName = name;
  }
}

export class NotFoundFault extends VimFault {
  constructor(init: FaultInit) {
    super(
      init,
      `${init.method}: the object referred to was not found (${init.faultString || 'NotFound'})`,
    );
  }
}

export class ManagedObjectNotFoundFault extends VimFault {
  readonly obj?: MoRef;
  constructor(init: FaultInit) {
    const obj = toMoRef(child(init.detail, 'obj'));
    super(init, `${init.method}: ${refText(obj)} no longer exists in the vCenter inventory`);
    if (obj) this.obj = obj;
  }
}

export class AuthMinimumAdminPermissionFault extends VimFault {
  constructor(init: FaultInit) {
    super(
      init,
      `${init.method} refused: the change would leave vCenter without an Administrator permission on the root folder, or would change a principal that is Administrator there`,
    );
  }
}

export class RemoveFailedFault extends VimFault {
  constructor(init: FaultInit) {
    super(init, `${init.method} failed: the role is still used by permissions`);
  }
}

export class InvalidNameFault extends VimFault {
  readonly invalidName?: string;
  constructor(init: FaultInit) {
    const name = childText(init.detail, 'name');
    super(init, `${init.method}: invalid name${name !== undefined ? ` "${name}"` : ''}`);
    if (name !== undefined) this.invalidName = name;
  }
}

const FAULT_CLASSES: Record<string, new (init: FaultInit) => VimFault> = {
  NoPermission: NoPermissionFault,
  NotAuthenticated: NotAuthenticatedFault,
  InvalidLogin: InvalidLoginFault,
  UserNotFound: UserNotFoundFault,
  InvalidArgument: InvalidArgumentFault,
  AlreadyExists: AlreadyExistsFault,
  NotFound: NotFoundFault,
  ManagedObjectNotFound: ManagedObjectNotFoundFault,
  AuthMinimumAdminPermission: AuthMinimumAdminPermissionFault,
  RemoveFailed: RemoveFailedFault,
  InvalidName: InvalidNameFault,
};

/** The typed error for a fault the server reported (in a SOAP Fault or a missingSet). */
export function faultFromRecord(method: string, record: FaultRecord): VimFault {
  const init: FaultInit = { method, faultType: record.faultType, faultString: record.faultString };
  if (record.detail) init.detail = record.detail;
  const FaultClass = FAULT_CLASSES[record.faultType];
  return FaultClass ? new FaultClass(init) : new VimFault(init);
}

/**
 * A property drperm needs came back in missingSet (HTTP 200) instead of a value: the
 * session may not read it (NoPermission, with the privilege) or was lost. Never an empty list.
 */
export class MissingPropertyError extends ServerError {
  readonly obj: MoRef;
  readonly path: string;
  readonly fault: VimFault;
  constructor(obj: MoRef, path: string, fault: VimFault) {
    const reason =
      fault instanceof NoPermissionFault
        ? `${fault.faultType}${fault.privilegeIds.length > 0 ? ` (privilege ${fault.privilegeIds.join(', ')}${fault.object ? ` on ${refText(fault.object)}` : ''})` : ''}`
        : `${fault.faultType}${fault.faultString ? `: ${fault.faultString}` : ''}`;
    super(`vCenter did not return ${path} of ${refText(obj)}: ${reason}`, {
      hint:
        fault instanceof NoPermissionFault
          ? 'connect with an account that holds this privilege, or ask the vCenter administrator to grant it'
          : 'see the vCenter log for the reason; try again',
      cause: fault,
    });
    this.obj = obj;
    this.path = path;
    this.fault = fault;
  }
}
