/**
 * Group membership as read from identity sources (vCenter's user directory, LDAP / Active
 * Directory, the --membership file): who is a direct member of which group, and where and
 * when each fact was read. Kept in the snapshot's `membership` section so an offline audit
 * resolves groups exactly as the live one did. Expansion (nesting, cycles) is computed from
 * these direct edges by src/directory/expand.ts.
 */
import { z } from 'zod';

export const MEMBERSHIP_SOURCE_KINDS = ['vcenter', 'ldap', 'file'] as const;
export type MembershipSourceKind = (typeof MEMBERSHIP_SOURCE_KINDS)[number];

export const MembershipSourceSchema = z
  .object({
    /** Short id edges refer to, e.g. `ldap:1`. */
    id: z.string().min(1),
    kind: z.enum(MEMBERSHIP_SOURCE_KINDS),
    /** Server URL without credentials, or the file path. */
    location: z.string(),
    /**
     * Identity-source domains the source answers for, upper case, each with its aliases: the
     * first name is the one it writes members with (e.g. [CORP, CORP.EXAMPLE]). Empty: any.
     */
    domains: z.array(z.array(z.string()).min(1)),
    /** When the source was read (ISO 8601). */
    readAt: z.iso.datetime(),
  })
  .strict();
export type MembershipSource = z.infer<typeof MembershipSourceSchema>;

/** One fact: `member` is a direct member of `group`. Names as vCenter writes them (DOMAIN\name). */
export const MembershipEdgeSchema = z
  .object({
    group: z.string().min(1),
    member: z.string().min(1),
    memberIsGroup: z.boolean(),
    /** MembershipSource.id */
    source: z.string().min(1),
    /** When this edge was read (ISO 8601). */
    at: z.iso.datetime(),
  })
  .strict();
export type MembershipEdge = z.infer<typeof MembershipEdgeSchema>;

/** A group whose members a source listed (possibly none): its edges are complete. */
export const ResolvedGroupSchema = z
  .object({
    group: z.string().min(1),
    source: z.string().min(1),
    /** Distinguished name, for LDAP sources. */
    dn: z.string().optional(),
  })
  .strict();
export type ResolvedGroup = z.infer<typeof ResolvedGroupSchema>;

/** A group no source could list, and why (not found, no source for its domain, a limit hit). */
export const UnresolvedGroupSchema = z
  .object({
    group: z.string().min(1),
    reason: z.string(),
  })
  .strict();
export type UnresolvedGroup = z.infer<typeof UnresolvedGroupSchema>;

export const MembershipDataSchema = z
  .object({
    sources: z.array(MembershipSourceSchema),
    groups: z.array(ResolvedGroupSchema),
    edges: z.array(MembershipEdgeSchema),
    unresolved: z.array(UnresolvedGroupSchema),
    /** Notes an auditor should see (cycles, limits reached). */
    warnings: z.array(z.string()),
  })
  .strict();
export type MembershipData = z.infer<typeof MembershipDataSchema>;

export function emptyMembership(): MembershipData {
  return { sources: [], groups: [], edges: [], unresolved: [], warnings: [] };
}
