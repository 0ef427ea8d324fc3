/** Decoding vim25 data objects from parsed XML into the plain types of ./types. */
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
  child,
  childBool,
  childInt,
  childMoRef,
  childText,
  children,
  parseBool,
  parseInteger,
  requiredMoRef,
  requiredText,
  text,
  toMoRef,
  xsiType,
  type XmlNode,
} from './xml-parse';

export function decodePermission(node: XmlNode): VimPermission {
  const where = 'Permission';
  const permission: VimPermission = {
    principal: requiredText(node, 'principal', where),
    group: childBool(node, 'group', where),
    roleId: childInt(node, 'roleId', where),
    propagate: childBool(node, 'propagate', where),
  };
  const entity = childMoRef(node, 'entity');
  if (entity) permission.entity = entity;
  return permission;
}

export function decodeRole(node: XmlNode): AuthorizationRole {
  const where = 'AuthorizationRole';
  const role: AuthorizationRole = {
    roleId: childInt(node, 'roleId', where),
    system: childBool(node, 'system', where),
    name: requiredText(node, 'name', where),
    privileges: children(node, 'privilege').map(text),
  };
  const info = child(node, 'info');
  const label = childText(info, 'label');
  const summary = childText(info, 'summary');
  if (label !== undefined && label !== '') role.label = label;
  if (summary !== undefined && summary !== '') role.summary = summary;
  return role;
}

export function decodePrivilege(node: XmlNode): AuthorizationPrivilege {
  const where = 'AuthorizationPrivilege';
  return {
    privId: requiredText(node, 'privId', where),
    onParent: childBool(node, 'onParent', where),
    name: requiredText(node, 'name', where),
    privGroupName: requiredText(node, 'privGroupName', where),
  };
}

export function decodeElementDescription(node: XmlNode): PrivilegeDescription {
  return {
    key: childText(node, 'key') ?? '',
    label: childText(node, 'label') ?? '',
    summary: childText(node, 'summary') ?? '',
  };
}

export function decodeUserSearchResult(node: XmlNode): UserSearchResult {
  const where = 'UserSearchResult';
  const result: UserSearchResult = {
    principal: requiredText(node, 'principal', where),
    group: childBool(node, 'group', where),
  };
  const fullName = childText(node, 'fullName');
  if (fullName !== undefined && fullName !== '') result.fullName = fullName;
  return result;
}

function decodeAbout(node: XmlNode | undefined): AboutInfo {
  const t = (name: string) => childText(node, name) ?? '';
  return {
    name: t('name'),
    fullName: t('fullName'),
    vendor: t('vendor'),
    version: t('version'),
    build: t('build'),
    apiType: t('apiType'),
    apiVersion: t('apiVersion'),
    instanceUuid: t('instanceUuid'),
  };
}

export function decodeServiceContent(node: XmlNode): ServiceContent {
  const where = 'ServiceContent';
  const content: ServiceContent = {
    about: decodeAbout(child(node, 'about')),
    rootFolder: requiredMoRef(node, 'rootFolder', where),
    propertyCollector: requiredMoRef(node, 'propertyCollector', where),
    viewManager: requiredMoRef(node, 'viewManager', where),
    sessionManager: requiredMoRef(node, 'sessionManager', where),
    authorizationManager: requiredMoRef(node, 'authorizationManager', where),
    searchIndex: requiredMoRef(node, 'searchIndex', where),
  };
  const userDirectory = childMoRef(node, 'userDirectory');
  if (userDirectory) content.userDirectory = userDirectory;
  const setting = childMoRef(node, 'setting');
  if (setting) content.setting = setting;
  return content;
}

/** A property value as returned in DynamicProperty.val, decoded by its xsi:type. */
export type PropertyValue = string | number | boolean | MoRef | PropertyValue[] | XmlNode;

const SCALAR_DECODERS: Record<string, (s: string, where: string) => PropertyValue> = {
  string: (s) => s,
  boolean: parseBool,
  int: parseInteger,
  long: parseInteger,
  short: parseInteger,
  byte: parseInteger,
  dateTime: (s) => s,
};

const PRIMITIVE_ARRAY_ITEMS = new Set(['String', 'Int', 'Long', 'Short', 'Byte', 'Boolean']);

export function decodeValue(node: XmlNode, typeName = xsiType(node)): PropertyValue {
  if (typeName === 'ManagedObjectReference') return toMoRef(node) ?? text(node);
  const scalar = typeName === undefined ? undefined : SCALAR_DECODERS[typeName];
  if (scalar) return scalar(text(node), typeName ?? 'value');
  if (typeName?.startsWith('ArrayOf')) {
    // Items are child elements named after the item type: <string>, <ManagedObjectReference>, <OptionValue>…
    const item = typeName.slice('ArrayOf'.length);
    const itemType = PRIMITIVE_ARRAY_ITEMS.has(item) ? item.toLowerCase() : item;
    const items = Object.keys(node)
      .filter((k) => !k.startsWith('@_') && k !== '#text')
      .flatMap((k) => children(node, k));
    return items.map((n) => decodeValue(n, xsiType(n) ?? itemType));
  }
  return node;
}

/** One object of a RetrievePropertiesEx result. */
export interface ObjectContent {
  obj: MoRef;
  props: Map<string, PropertyValue>;
  /** Properties the server could not return (e.g. NoPermission), by path. */
  missing: string[];
}

export interface RetrieveResult {
  token?: string;
  objects: ObjectContent[];
}

export function decodeObjectContent(node: XmlNode): ObjectContent {
  const props = new Map<string, PropertyValue>();
  for (const p of children(node, 'propSet')) {
    const name = requiredText(p, 'name', 'DynamicProperty');
    const val = child(p, 'val');
    if (val !== undefined) props.set(name, decodeValue(val));
  }
  return {
    obj: requiredMoRef(node, 'obj', 'ObjectContent'),
    props,
    missing: children(node, 'missingSet').map((m) => childText(m, 'path') ?? ''),
  };
}

/** RetrieveResult, or an empty result when the server sent no returnval. */
export function decodeRetrieveResult(node: XmlNode | undefined): RetrieveResult {
  if (node === undefined) return { objects: [] };
  const result: RetrieveResult = { objects: children(node, 'objects').map(decodeObjectContent) };
  const token = childText(node, 'token');
  if (token !== undefined && token !== '') result.token = token;
  return result;
}

export function isMoRef(value: PropertyValue | undefined): value is MoRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as MoRef).type === 'string' &&
    typeof (value as MoRef).value === 'string' &&
    Object.keys(value).length === 2
  );
}
