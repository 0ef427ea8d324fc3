/** Privilege facts every layer shares. */

/**
 * vCenter adds these to every role it creates or updates (AddAuthorizationRole /
 * UpdateAuthorizationRole), so their presence or absence is never drift, excess or a gap.
 */
export const IMPLICIT_PRIVILEGES: ReadonlySet<string> = new Set([
  'System.Anonymous',
  'System.View',
  'System.Read',
]);

export function isImplicitPrivilege(id: string): boolean {
  return IMPLICIT_PRIVILEGES.has(id);
}

/** Sorted, de-duplicated, without the implicit System.* privileges: the set that counts. */
export function significantPrivileges(ids: Iterable<string>): string[] {
  return [...new Set(ids)].filter((id) => !isImplicitPrivilege(id)).sort();
}

/** How a role's privileges differ from the expected set (implicit System.* ignored), sorted. */
export function privilegeDrift(
  expected: Iterable<string>,
  actual: Iterable<string>,
): { missing: string[]; extra: string[] } {
  const want = new Set(significantPrivileges(expected));
  const have = new Set(significantPrivileges(actual));
  return {
    missing: [...want].filter((p) => !have.has(p)).sort(),
    extra: [...have].filter((p) => !want.has(p)).sort(),
  };
}
