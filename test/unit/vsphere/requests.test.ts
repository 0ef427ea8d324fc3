import * as rq from '../../../src/vsphere/requests';
import { InputError } from '../../../src/util/errors';
import { escapeXml } from '../../../src/vsphere/xml-build';

const AUTH = { type: 'AuthorizationManager', value: 'AuthorizationManager' };
const body = (r: rq.SoapRequest) => /<soapenv:Body>([\s\S]*)<\/soapenv:Body>/.exec(r.body)?.[1];

describe('vim25 request bodies', () => {
  it('match the pyVmomi serialisation for RetrieveServiceContent, including the envelope', () => {
    const r = rq.retrieveServiceContent();
    expect(r.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n<soapenv:Body><RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent></soapenv:Body>\n</soapenv:Envelope>',
    );
    expect(r.readOnly).toBe(true);
  });

  it('write SetEntityPermissions in WSDL order, with the target entity in every Permission', () => {
    const r = rq.setEntityPermissions(AUTH, { type: 'VirtualMachine', value: 'vm-42' }, [
      {
        // A stale entity on the caller's copy is replaced by the target.
        entity: { type: 'Folder', value: 'group-v1' },
        principal: 'VSPHERE.LOCAL\\asr-svc',
        group: false,
        roleId: 1001,
        propagate: true,
      },
      { principal: 'VSPHERE.LOCAL\\Tenant1Admins', group: true, roleId: -2, propagate: false },
    ]);
    expect(body(r)).toBe(
      '<SetEntityPermissions xmlns="urn:vim25"><_this type="AuthorizationManager">AuthorizationManager</_this><entity type="VirtualMachine">vm-42</entity><permission><entity type="VirtualMachine">vm-42</entity><principal>VSPHERE.LOCAL\\asr-svc</principal><group>false</group><roleId>1001</roleId><propagate>true</propagate></permission><permission><entity type="VirtualMachine">vm-42</entity><principal>VSPHERE.LOCAL\\Tenant1Admins</principal><group>true</group><roleId>-2</roleId><propagate>false</propagate></permission></SetEntityPermissions>',
    );
    expect(r.readOnly).toBe(false);
  });

  it('escape every value and keep managed object ids opaque', () => {
    const ds = { type: 'Datastore', value: '/tmp/govcsim-DC0-LocalDS_0-123@folder-5' };
    const r = rq.removeEntityPermission(AUTH, ds, '=tenant&<x>"\'', true);
    expect(body(r)).toContain(
      '<entity type="Datastore">/tmp/govcsim-DC0-LocalDS_0-123@folder-5</entity><user>=tenant&amp;&lt;x&gt;&quot;&apos;</user><isGroup>true</isGroup>',
    );
    expect(
      body(rq.login({ type: 'SessionManager', value: 'SessionManager' }, 'u', 'p&<w>')),
    ).toContain('<userName>u</userName><password>p&amp;&lt;w&gt;</password>');
  });

  it('refuse control characters XML 1.0 cannot carry', () => {
    expect(() => escapeXml('a\u0001b')).toThrow(/control character/);
    expect(escapeXml('tab\tnew\nline')).toBe('tab\tnew\nline');
  });

  it('page a ContainerView with a TraversalSpec and maxObjects', () => {
    const r = rq.retrievePropertiesEx(
      { type: 'PropertyCollector', value: 'propertyCollector' },
      [{ type: 'ManagedEntity', pathSet: ['name', 'parent'] }],
      { view: { type: 'ContainerView', value: 'session[52b1]52e0' } },
      100,
    );
    expect(body(r)).toBe(
      '<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>ManagedEntity</type><all>false</all><pathSet>name</pathSet><pathSet>parent</pathSet></propSet><objectSet><obj type="ContainerView">session[52b1]52e0</obj><skip>true</skip><selectSet xsi:type="TraversalSpec"><name>traverseView</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet><options><maxObjects>100</maxObjects></options></RetrievePropertiesEx>',
    );
  });

  it('write role and directory calls in WSDL order, optional fields omitted', () => {
    expect(
      body(
        rq.updateAuthorizationRole(AUTH, 1001, 'Azure_Site_Recovery', ['Datastore.AllocateSpace']),
      ),
    ).toContain(
      '<roleId>1001</roleId><newName>Azure_Site_Recovery</newName><privIds>Datastore.AllocateSpace</privIds></UpdateAuthorizationRole>',
    );
    expect(body(rq.removeAuthorizationRole(AUTH, 7, true))).toContain(
      '<roleId>7</roleId><failIfUsed>true</failIfUsed>',
    );
    expect(() => rq.removeAuthorizationRole(AUTH, 1.5, true)).toThrow(/integer/);
    const search = rq.retrieveUserGroups(
      { type: 'UserDirectory', value: 'UserDirectory' },
      {
        domain: 'vsphere.local',
        searchStr: 'asr',
        exactMatch: false,
        findUsers: true,
        findGroups: true,
      },
    );
    expect(body(search)).toContain(
      '<domain>vsphere.local</domain><searchStr>asr</searchStr><exactMatch>false</exactMatch><findUsers>true</findUsers><findGroups>true</findGroups>',
    );
    expect(
      rq.continueRetrievePropertiesEx({ type: 'PropertyCollector', value: 'pc' }, '1').readOnly,
    ).toBe(false);
  });
});

describe('control characters', () => {
  it('are refused as bad input (exit 2) without echoing the value', () => {
    let err: unknown;
    try {
      rq.login({ type: 'SessionManager', value: 'SessionManager' }, 'u', 'se\u0001cret');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).exitCode).toBe(2);
    expect((err as Error).message).not.toContain('cret');
  });
});
