/**
 * govc-style inventory paths: names joined by '/' from below the root folder. Inside a name,
 * '%' is written %25, '/' %2f and '\' %5c: that is how vCenter returns ManagedEntity.name
 * (vSphere API reference, ManagedEntity.name) and what SearchIndex.FindByInventoryPath takes.
 */

/** A raw name in the escaped form vCenter uses. */
export function escapePathName(name: string): string {
  return name.replace(/%/g, '%25').replace(/\//g, '%2f').replace(/\\/g, '%5c');
}

export interface PathOptions {
  /**
   * True when the server returns names already escaped (vCenter): they are joined as they
   * are, so paths equal govc's. False for a server that returns raw names (the govmomi
   * simulator): they are escaped here. Default true.
   */
  namesEscaped?: boolean;
}

/** The path of a child named `name` (as the server returned it) below `parentPath`. */
export function joinPath(parentPath: string, name: string, options: PathOptions = {}): string {
  const base = parentPath === '/' ? '' : parentPath;
  return `${base}/${options.namesEscaped === false ? escapePathName(name) : name}`;
}

/** Normalises user input: leading '/', no trailing or doubled '/'. The root folder is '/'. */
export function normalizePath(input: string): string {
  const parts = input.split('/').filter((p) => p.length > 0);
  return '/' + parts.join('/');
}

/** Converts a path to the form SearchIndex.FindByInventoryPath takes (no leading '/'). */
export function toSearchIndexPath(path: string): string {
  return normalizePath(path).slice(1);
}
