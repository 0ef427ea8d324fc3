/**
 * Principal names as vCenter writes them (`DOMAIN\name`, SSO domain upper-case).
 * Users also write the UPN form (`name@domain`); both denote the same account, and
 * vCenter compares names case-insensitively, so comparisons go through principalKey().
 */
export function normalizePrincipal(principal: string): string {
  const p = principal.trim();
  if (!p.includes('\\') && p.includes('@')) {
    const at = p.lastIndexOf('@');
    return `${p.slice(at + 1).toUpperCase()}\\${p.slice(0, at)}`;
  }
  return p;
}

/** Key for comparing two principal names. */
export function principalKey(principal: string): string {
  return normalizePrincipal(principal).toLowerCase();
}

export function samePrincipal(a: string, b: string): boolean {
  return principalKey(a) === principalKey(b);
}
