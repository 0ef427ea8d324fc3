/**
 * What a membership source does: list the direct members of a group it knows, and
 * (optionally) the groups a user is directly in. Sources: vCenter's UserDirectory
 * (./vcenter-source.ts), LDAP / Active Directory (./ldap-source.ts), the --membership file
 * (./file-source.ts). Names are written as vCenter writes principals: `DOMAIN\name`.
 */
import type { MembershipSource as SourceInfo } from '../model/membership';

export interface DirectMember {
  name: string;
  isGroup: boolean;
}

/** One group's direct members, as one source read them. */
export interface GroupListing {
  /** The group, as the source names it (`DOMAIN\name`). */
  group: string;
  /** Distinguished name, for LDAP sources. */
  dn?: string;
  members: DirectMember[];
}

export interface MembershipSource {
  /** Without readAt: the reader stamps it. */
  readonly info: Omit<SourceInfo, 'readAt'>;
  /** True when the source can answer for this principal's domain. */
  covers(principal: string): boolean;
  /**
   * The group's listing first, then listings of nested groups the same request returned
   * (an LDAP in-chain search reads a whole subtree at once). Undefined when the source has
   * no such group.
   */
  listGroup(group: string): Promise<GroupListing[] | undefined>;
  /** Groups the user is a direct member of; absent when the source cannot ask that way. */
  groupsOfUser?(user: string): Promise<string[]>;
  /** Notes for the auditor gathered while reading (e.g. an entry without a name attribute). */
  readonly warnings?: readonly string[];
  /** Ends connections; never throws. */
  close(): Promise<void>;
}
