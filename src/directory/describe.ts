/** Membership chains as one line of evidence an auditor can read and check at the source. */
import type { MembershipSource } from '../model/membership';
import type { MembershipPath } from './expand';

/** `A is a member of B (ldap ldaps://dc01:636, 2026-…), B is a member of C (…)`. */
export function describeChain(path: MembershipPath, sources: readonly MembershipSource[]): string {
  const where = (id: string) => {
    const s = sources.find((x) => x.id === id);
    return s ? `${s.kind} ${s.location}` : id;
  };
  const links = path.edges.map(
    (e) => `${e.member} is a member of ${e.group} (${where(e.source)}, ${e.at})`,
  );
  return `membership: ${links.join('; ')}`;
}
