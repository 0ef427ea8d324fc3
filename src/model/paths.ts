/**
 * govc-style inventory paths: names joined by '/' from below the root folder, with '/'
 * inside a name escaped as %2f and '%' as %25 (as vCenter's SearchIndex expects).
 */
export function escapePathName(name: string): string {
  return name.replace(/%/g, '%25').replace(/\//g, '%2f');
}

export function joinPath(parentPath: string, name: string): string {
  const base = parentPath === '/' ? '' : parentPath;
  return `${base}/${escapePathName(name)}`;
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
