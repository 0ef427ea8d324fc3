/**
 * Where a collection or an audit gets group membership (README "Groups"): LDAP for its
 * domains, vCenter's UserDirectory for the others, the membership file for the rest. The
 * sources are opened before the (long) vCenter collection, so that a bad directory setting
 * fails fast; what the directories say is recorded in the snapshot, the file is not.
 */
import { gatherMembership, membershipRequest, type TenantAccount } from '../directory/gather';
import { FileMembershipSource } from '../directory/file-source';
import { LdapMembershipSource, type LdapSettings } from '../directory/ldap-source';
import { readMembership } from '../directory/read';
import type { MembershipSource } from '../directory/source';
import { VcenterMembershipSource } from '../directory/vcenter-source';
import type { MembershipData } from '../model/membership';
import type { Snapshot } from '../model/snapshot';
import type { VimClient } from '../vsphere/client';
import { loadMembership } from './audit';
import { info, type Emit } from './events';

export interface MembershipSettings {
  /** Read vCenter's UserDirectory (SSO) in the collecting session. */
  fromVcenter: boolean;
  /** The membership file (YAML: group -> members). */
  membershipFile?: string;
  /** LDAP / Active Directory, password resolved. */
  ldap?: LdapSettings;
  /** The tenant accounts whose groups are to be resolved. */
  accounts?: readonly TenantAccount[];
}

/** The membership sources of one run. */
export class MembershipSources {
  private recorded = false;

  private constructor(
    private readonly emit: Emit,
    private readonly fromVcenter: boolean,
    private readonly ldap: LdapMembershipSource | undefined,
    private readonly file: FileMembershipSource | undefined,
    private readonly accounts: readonly TenantAccount[],
  ) {}

  static async open(settings: MembershipSettings, emit: Emit): Promise<MembershipSources> {
    const fileData = await loadMembership(settings.membershipFile);
    const file =
      fileData && settings.membershipFile
        ? new FileMembershipSource(fileData, settings.membershipFile)
        : undefined;
    const ldap = settings.ldap ? await LdapMembershipSource.open(settings.ldap) : undefined;
    if (ldap) info(emit, `LDAP ${ldap.info.location}: nested groups read ${ldap.nestedMode}`);
    return new MembershipSources(emit, settings.fromVcenter, ldap, file, settings.accounts ?? []);
  }

  get readsVcenter(): boolean {
    return this.fromVcenter;
  }

  /** The directory sources in precedence order: LDAP for its domains, then vCenter. */
  private directories(client?: VimClient): MembershipSource[] {
    const out: MembershipSource[] = [];
    if (this.ldap) out.push(this.ldap);
    if (client && this.fromVcenter) {
      out.push(
        new VcenterMembershipSource(client, client.url, this.ldap ? this.ldap.info.domains : []),
      );
    }
    return out;
  }

  /**
   * In the vCenter session, after collection: reads the directories and records what they
   * said in the snapshot's membership section (the file is not recorded).
   */
  async recordInSnapshot(client: VimClient, snapshot: Snapshot): Promise<void> {
    const sources = this.directories(client);
    if (sources.length === 0) return;
    info(
      this.emit,
      `reading group membership from ${sources.map((s) => s.info.location).join(', ')} ...`,
    );
    snapshot.membership = await readMembership(sources, membershipRequest(snapshot, this.accounts));
    this.recorded = true;
  }

  /** The membership to audit with: the snapshot's section, then what is still open from LDAP and the file. */
  async forAudit(snapshot: Snapshot): Promise<MembershipData | undefined> {
    const sources: MembershipSource[] = [];
    if (this.ldap && !this.recorded) sources.push(this.ldap);
    if (this.file) sources.push(this.file);
    if (sources.length === 0) return snapshot.membership;
    return gatherMembership(
      sources,
      membershipRequest(snapshot, this.accounts),
      snapshot.membership,
    );
  }

  async close(): Promise<void> {
    await this.ldap?.close();
  }
}
