import {
  anyValue,
  arrayOf,
  objectContent,
  retrieveResult,
  returnsMany,
  returnsOne,
  role,
  type ObjectContent,
} from '../../../src/vsphere/decode';
import { Readable } from 'node:stream';
import { decodeBody } from '../../helpers/soap-body';
import { decodeSoapStream, resultOf } from '../../../src/vsphere/soap';
import type { Decoder } from '../../../src/vsphere/xml-decode';

const ENVELOPE = (inner: string) =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><RResponse xmlns="urn:vim25">${inner}</RResponse></soapenv:Body></soapenv:Envelope>`;

function decode<T>(inner: string, returns: Decoder<T>): T {
  return resultOf('R', decodeBody('R', ENVELOPE(inner), returns));
}

function retrieve(inner: string): { token: string | undefined; objects: ObjectContent[] } {
  const objects: ObjectContent[] = [];
  const token = decode(inner, returnsOne(retrieveResult({ object: (oc) => objects.push(oc) })));
  return { token, objects };
}

describe('vim25 response decoding', () => {
  it('keeps a MoRef type and its xsi:type apart, whichever prefix the server uses', () => {
    const values = decode(
      '<returnval type="Folder" xsi:type="ManagedObjectReference">group-v3</returnval>' +
        '<returnval xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="ManagedObjectReference" type="ResourcePool">resgroup-9</returnval>',
      returnsMany(anyValue),
    );
    expect(values).toEqual([
      { type: 'Folder', value: 'group-v3' },
      { type: 'ResourcePool', value: 'resgroup-9' },
    ]);
  });

  it('pages: returns the token before the objects, decodes names with entities exactly', () => {
    const seen: string[] = [];
    const objects: ObjectContent[] = [];
    const token = decode(
      '<returnval><token>1</token>' +
        '<objects><obj type="VirtualMachine">vm-42</obj><propSet><name>name</name><val xsi:type="xsd:string"> =a&amp;b&lt;c&gt;&#34;&#xA;</val></propSet>' +
        '<propSet><name>parent</name><val type="Folder" xsi:type="ManagedObjectReference">group-v3</val></propSet></objects>' +
        '<objects><obj type="Datastore">/tmp/ds@folder-5</obj><missingSet><path>name</path><fault><fault xsi:type="NoPermission"><object type="Datastore">/tmp/ds@folder-5</object><privilegeId>System.View</privilegeId></fault><localizedMessage>no</localizedMessage></fault></missingSet></objects></returnval>',
      returnsOne(
        retrieveResult({
          token: (t) => seen.push(`token ${t}`),
          object: (oc) => {
            seen.push(`object ${oc.obj.value}`);
            objects.push(oc);
          },
        }),
      ),
    );
    expect(token).toBe('1');
    expect(seen).toEqual(['token 1', 'object vm-42', 'object /tmp/ds@folder-5']);
    expect(objects[0]!.props.get('name')).toBe(' =a&b<c>"\n');
    expect(objects[0]!.props.get('parent')).toEqual({ type: 'Folder', value: 'group-v3' });
    expect(objects[1]!.obj).toEqual({ type: 'Datastore', value: '/tmp/ds@folder-5' });
    expect(objects[1]!.missing).toHaveLength(1);
    const missing = objects[1]!.missing[0]!;
    expect(missing.path).toBe('name');
    expect(missing.fault.faultType).toBe('NoPermission');
    expect(missing.fault.faultString).toBe('no');
  });

  it('treats a missing returnval as an empty result without token', () => {
    expect(retrieve('')).toEqual({ token: undefined, objects: [] });
  });

  it('normalises arrays: one item and many items look the same', () => {
    const values = decode(
      '<returnval xsi:type="ArrayOfString"><string>System.Read</string></returnval>' +
        '<returnval xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Folder">f1</ManagedObjectReference><ManagedObjectReference type="Datacenter">d1</ManagedObjectReference></returnval>' +
        '<returnval xsi:type="ArrayOfInt"><int>1</int><int>-2</int></returnval>',
      returnsMany(anyValue),
    );
    expect(values).toEqual([
      ['System.Read'],
      [
        { type: 'Folder', value: 'f1' },
        { type: 'Datacenter', value: 'd1' },
      ],
      [1, -2],
    ]);
  });

  it('decodes scalars by xsi:type, enums as text, unknown data objects field by field', () => {
    const values = decode(
      '<returnval xsi:type="xsd:boolean">true</returnval><returnval xsi:type="xsd:long">123456789012</returnval>' +
        '<returnval xsi:type="xsd:long">123456789012345678901</returnval>' +
        '<returnval xsi:type="VirtualMachinePowerState">poweredOff</returnval>' +
        '<returnval xsi:type="VirtualMachineConfigSummary"><name>vm1</name><numCpu>2</numCpu><product><name>p</name></product></returnval>',
      returnsMany(anyValue),
    );
    expect(values).toEqual([
      true,
      123456789012,
      '123456789012345678901',
      'poweredOff',
      {
        dataType: 'VirtualMachineConfigSummary',
        fields: {
          name: ['vm1'],
          numCpu: ['2'],
          product: [{ dataType: undefined, fields: { name: ['p'] } }],
        },
      },
    ]);
  });

  it('decodes an AuthorizationRole with its label and privileges', () => {
    const roles = decode(
      '<returnval xsi:type="ArrayOfAuthorizationRole"><AuthorizationRole><roleId>-2</roleId><system>true</system><name>ReadOnly</name><info><label>Read-only</label><summary>See details</summary></info><privilege>System.Anonymous</privilege><privilege>System.Read</privilege></AuthorizationRole></returnval>',
      returnsOne(arrayOf(role)),
    );
    expect(roles).toEqual([
      {
        roleId: -2,
        system: true,
        name: 'ReadOnly',
        label: 'Read-only',
        summary: 'See details',
        privileges: ['System.Anonymous', 'System.Read'],
      },
    ]);
  });

  it('rejects a role whose roleId is not a number, or that lacks its name', () => {
    expect(() =>
      decode(
        '<returnval><roleId>x</roleId><system>true</system><name>n</name></returnval>',
        returnsOne(role),
      ),
    ).toThrow(/integer/);
    expect(() =>
      decode('<returnval><roleId>1</roleId><system>true</system></returnval>', returnsOne(role)),
    ).toThrow(/AuthorizationRole: missing <name>/);
  });

  it('a property decoder chosen by path decodes that property; the others go by xsi:type', () => {
    const objects: ObjectContent[] = [];
    decode(
      '<returnval><objects><obj type="AuthorizationManager">AuthorizationManager</obj>' +
        '<propSet><name>roleList</name><val xsi:type="ArrayOfAuthorizationRole"><AuthorizationRole><roleId>-1</roleId><system>true</system><name>Admin</name></AuthorizationRole></val></propSet>' +
        '<propSet><name>other</name><val xsi:type="xsd:int">7</val></propSet></objects></returnval>',
      returnsOne(
        retrieveResult({ decoders: { roleList: arrayOf(role) }, object: (oc) => objects.push(oc) }),
      ),
    );
    expect(objects[0]!.props.get('roleList')).toEqual([
      { roleId: -1, system: true, name: 'Admin', privileges: [] },
    ]);
    expect(objects[0]!.props.get('other')).toBe(7);
  });

  it('decodes a body streamed as buffers split anywhere, even inside a UTF-8 character', async () => {
    const xml = ENVELOPE(
      '<returnval><objects><obj type="Folder">group-v1</obj><propSet><name>name</name><val xsi:type="xsd:string">Tenant é😀 &amp; co</val></propSet></objects></returnval>',
    );
    const bytes = Buffer.from(xml, 'utf8');
    for (const size of [1, 2, 3, 7, 64]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const names: unknown[] = [];
      const outcome = await decodeSoapStream(
        'R',
        Readable.from(chunks),
        returnsOne(retrieveResult({ object: (oc) => names.push(oc.props.get('name')) })),
      );
      expect(resultOf('R', outcome)).toBeUndefined();
      expect(names).toEqual(['Tenant é😀 & co']);
    }
  });

  it('a response without the method element, or with a fault, is not a result', () => {
    expect(() => resultOf('X', decodeBody('X', ENVELOPE(''), returnsOne(objectContent())))).toThrow(
      /no XResponse/,
    );
  });
});
