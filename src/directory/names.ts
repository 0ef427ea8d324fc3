/**
 * Principal names as vCenter matches them: `DOMAIN\name` and `name@domain` denote the same
 * account, the domain compares case-insensitively (vCenter writes it upper case), and so
 * does the name. An identity source may be known under several domain names (an Active
 * Directory's NetBIOS name CORP and its DNS name corp.example): the matcher maps each alias
 * to one canonical domain, so `CORP\alice`, `corp.example\alice` and `alice@corp.example` meet.
 */
import { normalizePrincipal } from '../model/principal';

export interface PrincipalParts {
  /** Upper case; undefined for a bare name (the simulator's `root`). */
  domain?: string;
  name: string;
}

export function splitPrincipal(principal: string): PrincipalParts {
  const p = normalizePrincipal(principal);
  const slash = p.indexOf('\\');
  if (slash < 0) return { name: p };
  return { domain: p.slice(0, slash).toUpperCase(), name: p.slice(slash + 1) };
}

/** `DOMAIN\name`, the form vCenter writes in Permission.principal. */
export function joinPrincipal(domain: string | undefined, name: string): string {
  return domain === undefined || domain === '' ? name : `${domain.toUpperCase()}\\${name}`;
}

export class PrincipalMatcher {
  /** Lower-case alias -> lower-case canonical domain. */
  private readonly canonical = new Map<string, string>();
  /** Lower-case canonical domain -> every alias (upper case), canonical first. */
  private readonly aliases = new Map<string, string[]>();

  /** Each list names one identity source's domains, the canonical name first. */
  constructor(aliasGroups: ReadonlyArray<readonly string[]> = []) {
    for (const group of aliasGroups) {
      const [first] = group;
      if (first === undefined) continue;
      const canon = this.canonical.get(first.toLowerCase()) ?? first.toLowerCase();
      const list = this.aliases.get(canon) ?? [canon.toUpperCase()];
      for (const d of group) {
        const lower = d.toLowerCase();
        if (this.canonical.has(lower) && this.canonical.get(lower) !== canon) continue;
        this.canonical.set(lower, canon);
        if (!list.includes(d.toUpperCase())) list.push(d.toUpperCase());
      }
      this.aliases.set(canon, list);
    }
  }

  canonicalDomain(domain: string): string {
    const lower = domain.toLowerCase();
    return this.canonical.get(lower) ?? lower;
  }

  /** Comparable key of a principal: canonical domain and name, lower case. */
  key(principal: string): string {
    const { domain, name } = splitPrincipal(principal);
    const lowerName = name.toLowerCase();
    return domain === undefined ? lowerName : `${this.canonicalDomain(domain)}\\${lowerName}`;
  }

  /** The same principal written with each alias of its domain (for matching permissions). */
  spellings(principal: string): string[] {
    const { domain, name } = splitPrincipal(principal);
    if (domain === undefined) return [name];
    const list = this.aliases.get(this.canonicalDomain(domain)) ?? [domain];
    return list.map((d) => joinPrincipal(d, name));
  }

  /** True when the two domain names denote the same identity source. */
  sameDomain(a: string, b: string): boolean {
    return this.canonicalDomain(a) === this.canonicalDomain(b);
  }
}
