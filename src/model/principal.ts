/**
 * Principals as vCenter writes them (`DOMAIN\name`, SSO domain upper-case). Users also
 * write the UPN form (`name@domain`); both denote the same account, and vCenter compares
 * names case-insensitively. A user and a group of the same name are different principals
 * (a Permission carries `group`), so a principal is identified by its name and its kind.
 */

/** One user or group: the identity every permission, plan, backup and audit row refers to. */
export interface PrincipalId {
  name: string;
  group: boolean;
}

export function normalizePrincipal(principal: string): string {
  const p = principal.trim();
  if (!p.includes('\\') && p.includes('@')) {
    const at = p.lastIndexOf('@');
    return `${p.slice(at + 1).toUpperCase()}\\${p.slice(0, at)}`;
  }
  return p;
}

/** The comparable form of a name alone (membership files list names without their kind). */
export function principalName(name: string): string {
  return normalizePrincipal(name).toLowerCase();
}

/** The one key of a principal: `u:` or `g:` and its comparable name. */
export function principalKey(id: PrincipalId): string {
  return `${id.group ? 'g' : 'u'}:${principalName(id.name)}`;
}

export function samePrincipalId(a: PrincipalId, b: PrincipalId): boolean {
  return principalKey(a) === principalKey(b);
}

/** The principal a permission (or any record with `principal` and `group`) is for. */
export function principalOf(p: { principal: string; group: boolean }): PrincipalId {
  return { name: p.principal, group: p.group };
}
