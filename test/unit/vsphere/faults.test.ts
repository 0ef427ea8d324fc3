import { ExitCode, ServerError } from '../../../src/util/errors';
import type {
  AlreadyExistsFault,
  ManagedObjectNotFoundFault,
  UserNotFoundFault,
} from '../../../src/vsphere/faults';
import {
  InvalidLoginFault,
  NoPermissionFault,
  NotAuthenticatedFault,
  VimFault,
} from '../../../src/vsphere/faults';
import { returnsNothing } from '../../../src/vsphere/decode';
import { decodeBody } from '../../helpers/soap-body';
import { resultOf } from '../../../src/vsphere/soap';
import { soapFault } from './https-fixture';

/** The error a fault body becomes. */
function faultOf(method: string, body: string): VimFault {
  try {
    resultOf(method, decodeBody(method, body, returnsNothing));
  } catch (err) {
    return err as VimFault;
  }
  throw new Error('no fault');
}

function fault(type: string, text: string, detail = '') {
  return faultOf('TestMethod', soapFault(type, text, detail).body);
}

describe('vim25 faults', () => {
  it('NoPermission names the missing privileges (old and 7.0.3.2+ fields) and the object', () => {
    const f = fault(
      'NoPermission',
      'Permission to perform this operation was denied.',
      '<object type="Folder">group-v23485</object><privilegeId>VirtualMachine.Interact.PowerOn</privilegeId>' +
        '<missingPrivileges><entity type="Folder">group-v1</entity><privilegeIds>System.View</privilegeIds><privilegeIds>VirtualMachine.Interact.PowerOn</privilegeIds></missingPrivileges>',
    );
    expect(f).toBeInstanceOf(NoPermissionFault);
    const np = f as NoPermissionFault;
    expect(np.privilegeIds).toEqual(['VirtualMachine.Interact.PowerOn', 'System.View']);
    expect(np.object).toEqual({ type: 'Folder', value: 'group-v23485' });
    expect(np.message).toContain(
      'VirtualMachine.Interact.PowerOn, System.View on Folder group-v23485',
    );
  });

  it('InvalidLogin says "incorrect user name or password" and exits 3', () => {
    const f = fault(
      'InvalidLogin',
      'Cannot complete login due to an incorrect user name or password.',
    );
    expect(f).toBeInstanceOf(InvalidLoginFault);
    expect(f).toBeInstanceOf(ServerError);
    expect(f.exitCode).toBe(ExitCode.Server);
    expect(f.message).toBe('login failed: incorrect user name or password');
  });

  it('typed faults carry their detail fields', () => {
    const unf = fault(
      'UserNotFound',
      'x',
      '<principal>VSPHERE.LOCAL\\nobody</principal><unresolved>false</unresolved>',
    );
    expect((unf as UserNotFoundFault).principal).toBe('VSPHERE.LOCAL\\nobody');
    const ae = fault('AlreadyExists', 'x', '<name>Azure_Site_Recovery</name>');
    expect((ae as AlreadyExistsFault).existingName).toBe('Azure_Site_Recovery');
    const mo = fault('ManagedObjectNotFound', 'x', '<obj type="VirtualMachine">vm-42</obj>');
    expect((mo as ManagedObjectNotFoundFault).obj).toEqual({
      type: 'VirtualMachine',
      value: 'vm-42',
    });
    expect(fault('NotAuthenticated', 'The session is not authenticated.')).toBeInstanceOf(
      NotAuthenticatedFault,
    );
  });

  it('an unknown fault becomes a generic VimFault with its type and faultstring', () => {
    const f = fault('InvalidRequest', 'Got &lt;x&gt; tag when expecting &lt;_this&gt; tag');
    expect(f.constructor).toBe(VimFault);
    expect(f.faultType).toBe('InvalidRequest');
    expect(f.message).toBe(
      'TestMethod failed with InvalidRequest: Got <x> tag when expecting <_this> tag',
    );
  });

  it('falls back to the detail element name when xsi:type is absent', () => {
    const xml =
      '<e:Envelope xmlns:e="s"><e:Body><e:Fault><faultstring>no</faultstring><detail><RemoveFailedFault xmlns="urn:vim25"/></detail></e:Fault></e:Body></e:Envelope>';
    const f = faultOf('RemoveAuthorizationRole', xml);
    expect(f.faultType).toBe('RemoveFailed');
    expect(f.message).toContain('still used');
  });
});
