/**
 * vim25 responses decoded as they are scanned, straight into the plain types of ./types
 * (element names and order from the WSDL; vim25-wire.md A.1, A.4, A.5).
 */
import type {
  AboutInfo,
  AuthorizationPrivilege,
  AuthorizationRole,
  MoRef,
  PrivilegeDescription,
  ServiceContent,
  UserSearchResult,
  VimPermission,
} from './types';
import {
  bool,
  elementDecoder,
  int,
  many,
  moRef,
  optional,
  parseBool,
  parseInteger,
  required,
  struct,
  text,
  textOf,
  xsiType,
  XmlDecodeError,
  type Decoder,
  type Frame,
  type XmlElement,
} from './xml-decode';
import { detach, type XmlAttrs } from './xml-scan';

const requiredRef = (where: string, name: string): Decoder<MoRef> => {
  return (attrs, done) =>
    moRef(attrs, (ref) => {
      if (ref === undefined) throw new XmlDecodeError(`${where}: empty managed object <${name}>`);
      done(ref);
    });
};

export const permission: Decoder<VimPermission> = struct(
  'Permission',
  {
    entity: optional(moRef),
    principal: required(text),
    group: required(bool),
    roleId: required(int),
    propagate: required(bool),
  },
  (v) => {
    const p: VimPermission = {
      principal: v.principal,
      group: v.group,
      roleId: v.roleId,
      propagate: v.propagate,
    };
    if (v.entity) p.entity = v.entity;
    return p;
  },
);

const description = struct(
  'Description',
  { label: optional(text), summary: optional(text) },
  (v) => v,
);

export const role: Decoder<AuthorizationRole> = struct(
  'AuthorizationRole',
  {
    roleId: required(int),
    system: required(bool),
    name: required(text),
    info: optional(description),
    privilege: many(text),
  },
  (v) => {
    const r: AuthorizationRole = {
      roleId: v.roleId,
      system: v.system,
      name: v.name,
      privileges: v.privilege,
    };
    if (v.info?.label) r.label = v.info.label;
    if (v.info?.summary) r.summary = v.info.summary;
    return r;
  },
);

export const privilege: Decoder<AuthorizationPrivilege> = struct(
  'AuthorizationPrivilege',
  {
    privId: required(text),
    onParent: required(bool),
    name: required(text),
    privGroupName: required(text),
  },
  (v) => v,
);

export const elementDescription: Decoder<PrivilegeDescription> = struct(
  'ElementDescription',
  { key: optional(text), label: optional(text), summary: optional(text) },
  (v) => ({ key: v.key ?? '', label: v.label ?? '', summary: v.summary ?? '' }),
);

/** AuthorizationManager.description: the privilege labels. */
export const authorizationDescription: Decoder<PrivilegeDescription[]> = struct(
  'AuthorizationDescription',
  { privilege: many(elementDescription) },
  (v) => v.privilege,
);

export const userSearchResult: Decoder<UserSearchResult> = struct(
  'UserSearchResult',
  { principal: required(text), fullName: optional(text), group: required(bool) },
  (v) => {
    const r: UserSearchResult = { principal: v.principal, group: v.group };
    if (v.fullName) r.fullName = v.fullName;
    return r;
  },
);

const about: Decoder<AboutInfo> = struct(
  'AboutInfo',
  {
    name: optional(text),
    fullName: optional(text),
    vendor: optional(text),
    version: optional(text),
    build: optional(text),
    apiType: optional(text),
    apiVersion: optional(text),
    instanceUuid: optional(text),
  },
  (v) => ({
    name: v.name ?? '',
    fullName: v.fullName ?? '',
    vendor: v.vendor ?? '',
    version: v.version ?? '',
    build: v.build ?? '',
    apiType: v.apiType ?? '',
    apiVersion: v.apiVersion ?? '',
    instanceUuid: v.instanceUuid ?? '',
  }),
);

const SC = 'ServiceContent';
export const serviceContent: Decoder<ServiceContent> = struct(
  SC,
  {
    rootFolder: required(requiredRef(SC, 'rootFolder')),
    propertyCollector: required(requiredRef(SC, 'propertyCollector')),
    viewManager: required(requiredRef(SC, 'viewManager')),
    about: optional(about),
    setting: optional(moRef),
    userDirectory: optional(moRef),
    sessionManager: required(requiredRef(SC, 'sessionManager')),
    authorizationManager: required(requiredRef(SC, 'authorizationManager')),
    searchIndex: required(requiredRef(SC, 'searchIndex')),
  },
  (v) => {
    const content: ServiceContent = {
      about: v.about ?? {
        name: '',
        fullName: '',
        vendor: '',
        version: '',
        build: '',
        apiType: '',
        apiVersion: '',
        instanceUuid: '',
      },
      rootFolder: v.rootFolder,
      propertyCollector: v.propertyCollector,
      viewManager: v.viewManager,
      sessionManager: v.sessionManager,
      authorizationManager: v.authorizationManager,
      searchIndex: v.searchIndex,
    };
    if (v.userDirectory) content.userDirectory = v.userDirectory;
    if (v.setting) content.setting = v.setting;
    return content;
  },
);

// --- Property values ---------------------------------------------------------------------------

/**
 * A property value decoded by its xsi:type: scalars as JS values, MoRefs, ArrayOf<T> as
 * arrays; any other data object as a DataObject (every child element listed, in order).
 */
export type PropertyValue = string | number | boolean | MoRef | DataObject | PropertyValue[];

export interface DataObject {
  /** The xsi:type, when the server sent one. */
  dataType: string | undefined;
  fields: Record<string, PropertyValue[]>;
}

const SCALARS: Record<string, (s: string) => PropertyValue> = {
  string: detach,
  boolean: (s) => parseBool(s),
  int: (s) => parseInteger(s),
  short: (s) => parseInteger(s),
  byte: (s) => parseInteger(s),
  // A long beyond 2^53 stays a string rather than lose digits.
  long: (s) => {
    const n = parseInteger(s);
    return Number.isSafeInteger(n) ? n : s.trim();
  },
  float: (s) => Number(s),
  double: (s) => Number(s),
};

/** ArrayOfString holds <string>, ArrayOfInt <int>…: the item type of an ArrayOf<T>. */
function arrayItemType(arrayType: string): string {
  const item = arrayType.slice('ArrayOf'.length);
  return /^(String|Int|Long|Short|Byte|Boolean|Float|Double|DateTime|AnyType|Base64Binary)$/.test(
    item,
  )
    ? item[0]!.toLowerCase() + item.slice(1)
    : item;
}

/** Decodes a value of the given type (the element's own xsi:type wins). */
export function valueOf(declared: string | undefined): Decoder<PropertyValue> {
  return (attrs, done) => {
    const type = xsiType(attrs) ?? declared;
    if (type === 'ManagedObjectReference') {
      return moRef(attrs, (ref) => done(ref ?? ''));
    }
    const scalar = type === undefined ? undefined : SCALARS[type];
    if (scalar) return textOf(scalar)(attrs, done);
    if (type?.startsWith('ArrayOf')) {
      const item = valueOf(arrayItemType(type));
      const items: PropertyValue[] = [];
      return {
        child: (_n, a) => item(a, (v) => items.push(v)),
        text: () => undefined,
        end: () => done(items),
      };
    }
    return dataObjectFrame(type, done);
  };
}

/** A data object of a type drperm has no decoder for, or an enum or untyped text. */
function dataObjectFrame(type: string | undefined, done: (v: PropertyValue) => void): Frame {
  let textValue = '';
  let fields: Record<string, PropertyValue[]> | undefined;
  return {
    child: (name, attrs) => {
      fields ??= {};
      const list = (fields[name] ??= []);
      return valueOf(undefined)(attrs, (v) => list.push(v));
    },
    text: (v) => {
      textValue += v;
    },
    // Without child elements the value is text: an enum, a simple type, or untyped.
    end: () => done(fields === undefined ? detach(textValue) : { dataType: type, fields }),
  };
}

export const anyValue: Decoder<PropertyValue> = valueOf(undefined);

/** An ArrayOf<T> value whose items (whatever their element name) are decoded by `item`. */
export function arrayOf<T>(item: Decoder<T>): Decoder<T[]> {
  return (_attrs, done) => {
    const items: T[] = [];
    return {
      child: (_n, a) => item(a, (v) => items.push(v)),
      text: () => undefined,
      end: () => done(items),
    };
  };
}

/** OptionValue (OptionManager.setting): key and value, the value as text. */
export const optionValue: Decoder<{ key: string; value: string }> = struct(
  'OptionValue',
  { key: required(text), value: optional(anyValue) },
  (v) => ({
    key: v.key,
    value: v.value === undefined || typeof v.value === 'object' ? '' : String(v.value),
  }),
);

export function isMoRef(value: unknown): value is MoRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as MoRef).type === 'string' &&
    typeof (value as MoRef).value === 'string' &&
    Object.keys(value).length === 2
  );
}

// --- Faults ------------------------------------------------------------------------------------

/** A fault as the server reported it: type, message, and the detail element's children. */
export interface FaultRecord {
  faultType: string;
  faultString: string;
  detail?: XmlElement;
}

/** soapenv:Fault. The type is the xsi:type of the one child of <detail>, else its name minus "Fault". */
export const soapFault: Decoder<FaultRecord> = struct(
  'Fault',
  {
    faultcode: optional(text),
    faultstring: optional(text),
    detail: optional(firstChild),
  },
  (v) => faultRecord(v.detail, v.faultstring ?? ''),
);

function faultRecord(detail: XmlElement | undefined, faultString: string): FaultRecord {
  const faultType =
    (detail && xsiType(detail.attrs)) ?? detail?.name.replace(/Fault$/, '') ?? 'SoapFault';
  const record: FaultRecord = { faultType, faultString };
  if (detail) record.detail = detail;
  return record;
}

/** The first child element of an element, kept whole. */
function firstChild(
  _attrs: XmlAttrs | undefined,
  done: (el: XmlElement | undefined) => void,
): Frame {
  let first: XmlElement | undefined;
  return {
    child: (name, attrs) =>
      first === undefined
        ? elementDecoder(name)(attrs, (el) => {
            first = el;
          })
        : undefined,
    text: () => undefined,
    end: () => done(first),
  };
}

/** LocalizedMethodFault (in missingSet): the fault object and its message. */
const localizedMethodFault: Decoder<FaultRecord> = struct(
  'LocalizedMethodFault',
  { fault: optional(elementDecoder('fault')), localizedMessage: optional(text) },
  (v) => {
    const record = faultRecord(v.fault, v.localizedMessage ?? '');
    // The element is named "fault" whatever its type: without xsi:type the type is unknown.
    if (v.fault && xsiType(v.fault.attrs) === undefined) record.faultType = 'MethodFault';
    return record;
  },
);

// --- PropertyCollector results -------------------------------------------------------------

/** A property the server did not return, and why (vim25 MissingProperty). */
export interface MissingProperty {
  path: string;
  fault: FaultRecord;
}

/** One object of a RetrievePropertiesEx result. */
export interface ObjectContent {
  obj: MoRef;
  props: Map<string, unknown>;
  missing: MissingProperty[];
}

/** Decoders for particular properties (by path); the others are decoded by their xsi:type. */
export type PropertyDecoders = Readonly<Record<string, Decoder<unknown>>>;

const missingProperty: Decoder<MissingProperty> = struct(
  'MissingProperty',
  { path: required(text), fault: optional(localizedMethodFault) },
  (v) => ({
    path: v.path,
    fault: v.fault ?? { faultType: 'MethodFault', faultString: '' },
  }),
);

/**
 * DynamicProperty: `name` comes before `val` (WSDL order), so `val` is decoded by its name.
 * A class: one object per property, the most frequent element of a collection.
 */
class PropSetFrame implements Frame {
  private name: string | undefined;
  constructor(
    private readonly decoders: PropertyDecoders,
    private readonly props: Map<string, unknown>,
  ) {}
  child(n: string, attrs: XmlAttrs | undefined): Frame | undefined {
    if (n === 'name') return text(attrs, (v) => (this.name = v));
    if (n !== 'val') return undefined;
    const key = this.name;
    if (key === undefined) throw new XmlDecodeError('DynamicProperty: <val> before <name>');
    const props = this.props;
    return (this.decoders[key] ?? anyValue)(attrs, (v) => props.set(key, v));
  }
  text(): void {}
  end(): void {
    if (this.name === undefined) throw new XmlDecodeError('DynamicProperty: missing <name>');
  }
}

export function objectContent(decoders: PropertyDecoders = {}): Decoder<ObjectContent> {
  return (_attrs, done) => {
    let obj: MoRef | undefined;
    const props = new Map<string, unknown>();
    const missing: MissingProperty[] = [];
    return {
      child: (n, attrs) => {
        if (n === 'obj') return moRef(attrs, (r) => (obj = r));
        if (n === 'propSet') return new PropSetFrame(decoders, props);
        if (n === 'missingSet') return missingProperty(attrs, (m) => missing.push(m));
        return undefined;
      },
      text: () => undefined,
      end: () => {
        if (obj === undefined) throw new XmlDecodeError('ObjectContent: missing <obj>');
        done({ obj, props, missing });
      },
    };
  };
}

export interface RetrieveSink {
  decoders?: PropertyDecoders;
  /** Each object, as soon as it is decoded. */
  object(oc: ObjectContent): void;
  /** The continuation token; it precedes the objects, so the next page can be asked for early. */
  token?(token: string): void;
}

/** RetrieveResult: `token` and `objects`, objects handed to the sink one by one. */
export function retrieveResult(sink: RetrieveSink): Decoder<string | undefined> {
  const object = objectContent(sink.decoders);
  return (_attrs, done) => {
    let token: string | undefined;
    return {
      child: (n, attrs) => {
        if (n === 'token')
          return text(attrs, (t) => {
            if (t === '') return;
            token = t;
            sink.token?.(t);
          });
        if (n === 'objects') return object(attrs, (oc) => sink.object(oc));
        return undefined;
      },
      text: () => undefined,
      end: () => done(token),
    };
  };
}

// --- Method responses ----------------------------------------------------------------------

/** How a `<MethodResponse>` element becomes the call's result. */
export type ResponseDecoder<T> = Decoder<T>;

/** The first `returnval`, or undefined when there is none. */
export function returnsOne<T>(decoder: Decoder<T>): ResponseDecoder<T | undefined> {
  return struct('response', { returnval: optional(decoder) }, (v) => v.returnval);
}

/** Every `returnval`, in order. */
export function returnsMany<T>(decoder: Decoder<T>): ResponseDecoder<T[]> {
  return struct('response', { returnval: many(decoder) }, (v) => v.returnval);
}

/** A method with no result (or one drperm does not need). */
export const returnsNothing: ResponseDecoder<void> = (_attrs, done) => ({
  child: () => undefined,
  text: () => undefined,
  end: () => done(),
});
