import { decodeRetrieveResult, decodeRole, decodeValue } from '../../../src/vsphere/decode';
import { child, parseXml, soapBody, xsiType } from '../../../src/vsphere/xml-parse';

function returnval(xml: string) {
  const doc = parseXml(
    `<soapenv:Envelope xmlns:soapenv="s" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><R xmlns="urn:vim25">${xml}</R></soapenv:Body></soapenv:Envelope>`,
  );
  return child(child(soapBody(doc), 'R'), 'returnval');
}

describe('vim25 response decoding', () => {
  it('keeps a MoRef type and its xsi:type apart, whichever prefix the server uses', () => {
    const rv = returnval(
      '<returnval><a type="Folder" xsi:type="ManagedObjectReference">group-v3</a>' +
        '<b xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="ManagedObjectReference" type="ResourcePool">resgroup-9</b></returnval>',
    );
    expect(decodeValue(child(rv, 'a')!)).toEqual({ type: 'Folder', value: 'group-v3' });
    expect(xsiType(child(rv, 'b'))).toBe('ManagedObjectReference');
    expect(decodeValue(child(rv, 'b')!)).toEqual({ type: 'ResourcePool', value: 'resgroup-9' });
  });

  it('pages: returns the token and objects, decodes names with entities exactly', () => {
    const rv = returnval(
      '<returnval><token>1</token>' +
        '<objects><obj type="VirtualMachine">vm-42</obj><propSet><name>name</name><val xsi:type="xsd:string"> =a&amp;b&lt;c&gt;&#34;&#xA;</val></propSet>' +
        '<propSet><name>parent</name><val type="Folder" xsi:type="ManagedObjectReference">group-v3</val></propSet></objects>' +
        '<objects><obj type="Datastore">/tmp/ds@folder-5</obj><missingSet><path>name</path><fault/></missingSet></objects></returnval>',
    );
    const result = decodeRetrieveResult(rv);
    expect(result.token).toBe('1');
    expect(result.objects).toHaveLength(2);
    expect(result.objects[0]!.props.get('name')).toBe(' =a&b<c>"\n');
    expect(result.objects[0]!.props.get('parent')).toEqual({ type: 'Folder', value: 'group-v3' });
    expect(result.objects[1]!.obj).toEqual({ type: 'Datastore', value: '/tmp/ds@folder-5' });
    expect(result.objects[1]!.missing).toEqual(['name']);
  });

  it('treats a missing returnval as an empty result without token', () => {
    expect(decodeRetrieveResult(returnval(''))).toEqual({ objects: [] });
  });

  it('normalises arrays: one item and many items look the same', () => {
    const one = returnval(
      '<returnval><val xsi:type="ArrayOfString"><string>System.Read</string></val></returnval>',
    );
    const many = returnval(
      '<returnval><val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Folder">f1</ManagedObjectReference><ManagedObjectReference type="Datacenter">d1</ManagedObjectReference></val></returnval>',
    );
    expect(decodeValue(child(one, 'val')!)).toEqual(['System.Read']);
    expect(decodeValue(child(many, 'val')!)).toEqual([
      { type: 'Folder', value: 'f1' },
      { type: 'Datacenter', value: 'd1' },
    ]);
  });

  it('decodes an AuthorizationRole with its label and privileges', () => {
    const rv = returnval(
      '<returnval><AuthorizationRole><roleId>-2</roleId><system>true</system><name>ReadOnly</name><info><label>Read-only</label><summary>See details</summary></info><privilege>System.Anonymous</privilege><privilege>System.Read</privilege></AuthorizationRole></returnval>',
    );
    expect(decodeRole(child(rv, 'AuthorizationRole')!)).toEqual({
      roleId: -2,
      system: true,
      name: 'ReadOnly',
      label: 'Read-only',
      summary: 'See details',
      privileges: ['System.Anonymous', 'System.Read'],
    });
  });

  it('rejects a role whose roleId is not a number', () => {
    const rv = returnval(
      '<returnval><r><roleId>x</roleId><system>true</system><name>n</name></r></returnval>',
    );
    expect(() => decodeRole(child(rv, 'r')!)).toThrow(/roleId.*integer/);
  });
});
