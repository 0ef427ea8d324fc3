/**
 * Reading membership from several sources: precedence by domain, nested groups followed
 * once each (cycles end), bounds, and unresolved groups with their reason. The sources are
 * the real file source and small in-memory directories standing in for a server.
 */
import { FileMembershipSource } from '../../../src/directory/file-source';
import { readMembership } from '../../../src/directory/read';
import type { GroupListing, MembershipSource } from '../../../src/directory/source';
import { VcenterMembershipSource } from '../../../src/directory/vcenter-source';
import type { UserSearch } from '../../../src/vsphere/requests';
import type { UserSearchResult } from '../../../src/vsphere/types';

const NOW = () => new Date('2026-02-03T04:05:06.000Z');

/** A directory of one domain that counts how often each group was asked for. */
function directory(
  domain: string,
  groups: Record<string, string[]>,
): MembershipSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    info: { id: `dir-${domain}`, kind: 'ldap', location: `ldaps://${domain}`, domains: [[domain]] },
    asked,
    covers: (p) => p.toUpperCase().startsWith(`${domain}\\`),
    listGroup(group): Promise<GroupListing[] | undefined> {
      asked.push(group);
      const name = group.slice(group.indexOf('\\') + 1);
      const members = groups[name];
      if (!members) return Promise.resolve(undefined);
      return Promise.resolve([
        {
          group: `${domain}\\${name}`,
          members: members.map((m) => ({
            name: `${domain}\\${m.replace(/^group:/, '')}`,
            isGroup: m.startsWith('group:'),
          })),
        },
      ]);
    },
    close: () => Promise.resolve(),
  };
}

describe('readMembership', () => {
  test('follows nested groups once each, through a cycle, stamping source and time', async () => {
    const corp = directory('CORP', { a: ['group:b', 'alice'], b: ['group:a', 'bob'] });
    const data = await readMembership([corp], { groups: ['CORP\\a', 'corp\\A'] }, { now: NOW });
    expect(corp.asked).toEqual(['CORP\\a', 'CORP\\b']);
    expect(data.groups.map((g) => g.group)).toEqual(['CORP\\a', 'CORP\\b']);
    expect(data.edges).toContainEqual({
      group: 'CORP\\a',
      member: 'CORP\\alice',
      memberIsGroup: false,
      source: 'dir-CORP',
      at: NOW().toISOString(),
    });
    expect(data.sources).toEqual([
      {
        id: 'dir-CORP',
        kind: 'ldap',
        location: 'ldaps://CORP',
        domains: [['CORP']],
        readAt: NOW().toISOString(),
      },
    ]);
  });

  test('each domain goes to its directory; the file answers for the rest', async () => {
    const corp = directory('CORP', { ops: ['alice'] });
    const file = new FileMembershipSource(
      { 'VSPHERE.LOCAL\\backup': ['VSPHERE.LOCAL\\svc'] },
      'groups.yaml',
    );
    const data = await readMembership([corp, file], {
      groups: ['CORP\\ops', 'VSPHERE.LOCAL\\backup', 'OTHER\\nobody'],
    });
    expect(data.groups).toEqual([
      { group: 'CORP\\ops', source: 'dir-CORP' },
      { group: 'VSPHERE.LOCAL\\backup', source: 'file' },
    ]);
    expect(corp.asked).toEqual(['CORP\\ops']);
    expect(data.unresolved).toEqual([
      { group: 'OTHER\\nobody', reason: 'not found in groups.yaml' },
    ]);
  });

  test('a group file listing the group name itself means the user of that name, not a cycle', async () => {
    const file = new FileMembershipSource(
      { root: ['root', 'admins'], admins: ['alice'] },
      'g.yaml',
    );
    const listing = await file.listGroup('root');
    expect(listing).toEqual([
      {
        group: 'root',
        members: [
          { name: 'root', isGroup: false },
          { name: 'admins', isGroup: true },
        ],
      },
    ]);
  });

  test('a group nested deeper than the bound is left unresolved with the reason', async () => {
    const corp = directory('CORP', {
      g0: ['group:g1'],
      g1: ['group:g2'],
      g2: ['group:g3'],
      g3: ['u'],
    });
    const data = await readMembership(
      [corp],
      { groups: ['CORP\\g0'] },
      {
        limits: { maxDepth: 2, maxGroups: 100 },
      },
    );
    expect(data.groups.map((g) => g.group)).toEqual(['CORP\\g0', 'CORP\\g1', 'CORP\\g2']);
    expect(data.unresolved).toEqual([
      { group: 'CORP\\g3', reason: 'nested more than 2 levels below a granted group; not read' },
    ]);
  });
});

describe('VcenterMembershipSource (UserDirectory.RetrieveUserGroups)', () => {
  /** Answers as vCenter does: bare names, per domain, belongsToGroup = direct members. */
  function userDirectory(): {
    searches: UserSearch[];
    retrieveUserGroups(s: UserSearch): Promise<UserSearchResult[]>;
  } {
    const groups: Record<string, UserSearchResult[]> = {
      'service-accounts': [{ principal: 'asr-accounts', group: true }],
      'asr-accounts': [
        { principal: 'asr-fabrikam', group: false },
        { principal: 'asr-contoso@vsphere.local', group: false },
      ],
    };
    const searches: UserSearch[] = [];
    return {
      searches,
      retrieveUserGroups(s) {
        searches.push(s);
        if (s.domain?.toUpperCase() !== 'VSPHERE.LOCAL') return Promise.resolve([]);
        if (s.belongsToGroup !== undefined) return Promise.resolve(groups[s.belongsToGroup] ?? []);
        if (s.belongsToUser !== undefined) {
          return Promise.resolve(
            s.belongsToUser === 'asr-fabrikam' ? [{ principal: 'asr-accounts', group: true }] : [],
          );
        }
        return Promise.resolve(
          Object.keys(groups)
            .filter((g) => g === s.searchStr)
            .map((principal) => ({ principal, group: true })),
        );
      },
    };
  }

  test('lists nested SSO groups per domain and names members DOMAIN\\name', async () => {
    const api = userDirectory();
    const source = new VcenterMembershipSource(api, 'https://vc/sdk', [['CORP']]);
    const data = await readMembership([source], {
      groups: ['VSPHERE.LOCAL\\service-accounts', 'CORP\\ops'],
      users: ['VSPHERE.LOCAL\\asr-fabrikam'],
    });
    expect(data.groups.map((g) => g.group)).toEqual([
      'VSPHERE.LOCAL\\service-accounts',
      'VSPHERE.LOCAL\\asr-accounts',
    ]);
    expect(data.edges.map((e) => `${e.member} < ${e.group}`)).toEqual([
      'VSPHERE.LOCAL\\asr-accounts < VSPHERE.LOCAL\\service-accounts',
      'VSPHERE.LOCAL\\asr-fabrikam < VSPHERE.LOCAL\\asr-accounts',
      'VSPHERE.LOCAL\\asr-contoso < VSPHERE.LOCAL\\asr-accounts',
    ]);
    // CORP belongs to another source: vCenter is not asked about it.
    expect(api.searches.some((s) => s.domain === 'CORP')).toBe(false);
    expect(data.unresolved).toEqual([
      { group: 'CORP\\ops', reason: 'no membership source covers its domain' },
    ]);
    expect(api.searches).toContainEqual({
      domain: 'VSPHERE.LOCAL',
      searchStr: '',
      belongsToGroup: 'service-accounts',
      exactMatch: false,
      findUsers: true,
      findGroups: true,
    });
    expect(api.searches).toContainEqual(
      expect.objectContaining({
        domain: 'VSPHERE.LOCAL',
        belongsToUser: 'asr-fabrikam',
        findGroups: true,
      }),
    );
  });
});
