/** The membership expansion engine: pure data in, data out (no directory, no lab). */
import { MembershipIndex } from '../../../src/directory/expand';
import { mergeMembership } from '../../../src/directory/merge';
import { PrincipalMatcher } from '../../../src/directory/names';
import type { MembershipData, MembershipEdge } from '../../../src/model/membership';

const AT = '2026-01-01T00:00:00.000Z';

function data(edges: Array<[string, string, boolean?]>, groups: string[] = []): MembershipData {
  return {
    sources: [
      {
        id: 'ldap',
        kind: 'ldap',
        location: 'ldaps://dc01',
        domains: [['CORP', 'CORP.EXAMPLE']],
        readAt: AT,
      },
    ],
    groups: groups.map((group) => ({ group, source: 'ldap' })),
    edges: edges.map(([group, member, memberIsGroup]): MembershipEdge => ({
      group,
      member,
      memberIsGroup: memberIsGroup ?? false,
      source: 'ldap',
      at: AT,
    })),
    unresolved: [],
    warnings: [],
  };
}

const chainOf = (index: MembershipIndex, principal: string, group: string) =>
  [...index.containingGroups(principal).found.values()]
    .find((p) => index.key(p.group) === index.key(group))
    ?.edges.map((e) => `${e.member} < ${e.group}`);

describe('principal matching', () => {
  const m = new PrincipalMatcher([['CORP', 'CORP.EXAMPLE']]);

  test('DOMAIN\\name, name@domain and domain aliases name one principal, case-insensitively', () => {
    const key = m.key('CORP\\Alice');
    expect(m.key('alice@corp')).toBe(key);
    expect(m.key('alice@corp.example')).toBe(key);
    expect(m.key('corp.example\\ALICE')).toBe(key);
    expect(m.key('OTHER\\alice')).not.toBe(key);
  });

  test('spellings lists the principal under every alias of its domain', () => {
    expect(m.spellings('alice@corp.example')).toEqual(['CORP\\alice', 'CORP.EXAMPLE\\alice']);
    expect(m.spellings('root')).toEqual(['root']);
  });
});

describe('MembershipIndex', () => {
  test('nested groups three deep give the shortest chain from the user up', () => {
    const index = new MembershipIndex(
      data([
        ['CORP\\ops', 'CORP\\tier2', true],
        ['CORP\\tier2', 'CORP\\tier3', true],
        ['CORP\\tier3', 'CORP\\fabrikam'],
        ['CORP\\ops', 'CORP\\alice'],
      ]),
    );
    expect(chainOf(index, 'fabrikam@corp.example', 'CORP\\ops')).toEqual([
      'CORP\\fabrikam < CORP\\tier3',
      'CORP\\tier3 < CORP\\tier2',
      'CORP\\tier2 < CORP\\ops',
    ]);
    expect([...index.containingGroups('CORP\\alice').found.values()].map((p) => p.group)).toEqual([
      'CORP\\ops',
    ]);
  });

  test('a cycle ends the walk (each group once) and is reported', () => {
    const index = new MembershipIndex(
      data([
        ['CORP\\a', 'CORP\\b', true],
        ['CORP\\b', 'CORP\\a', true],
        ['CORP\\b', 'CORP\\carol'],
      ]),
    );
    const groups = [...index.containingGroups('CORP\\carol').found.values()].map((p) => p.group);
    expect(groups.sort()).toEqual(['CORP\\a', 'CORP\\b']);
    expect(index.cycles()).toEqual([['CORP\\a', 'CORP\\b']]);
    const members = index.transitiveMembers('CORP\\a').found;
    expect([...members.values()].map((m) => m.member).sort()).toEqual(['CORP\\b', 'CORP\\carol']);
  });

  test('a group that is its own member is a cycle, not a loop', () => {
    const index = new MembershipIndex(data([['CORP\\self', 'CORP\\self', true]]));
    expect(index.cycles()).toEqual([['CORP\\self']]);
    expect(index.transitiveMembers('CORP\\self').found.size).toBe(0);
  });

  test('a diamond is no cycle', () => {
    const index = new MembershipIndex(
      data([
        ['CORP\\top', 'CORP\\left', true],
        ['CORP\\top', 'CORP\\right', true],
        ['CORP\\left', 'CORP\\u'],
        ['CORP\\right', 'CORP\\u'],
      ]),
    );
    expect(index.cycles()).toEqual([]);
    expect(index.transitiveMembers('CORP\\top').found.size).toBe(3);
  });

  test('depth and count bounds stop the walk and say so', () => {
    const chain: Array<[string, string, boolean]> = [];
    for (let i = 0; i < 10; i++) chain.push([`CORP\\g${i}`, `CORP\\g${i + 1}`, true]);
    const index = new MembershipIndex(data(chain));
    const deep = index.transitiveMembers('CORP\\g0', { maxDepth: 3, maxGroups: 100 });
    expect([...deep.found.values()].map((m) => m.member)).toEqual([
      'CORP\\g1',
      'CORP\\g2',
      'CORP\\g3',
    ]);
    expect(deep.truncated).toMatch(/deeper than 3 levels/);
    const many = index.transitiveMembers('CORP\\g0', { maxDepth: 100, maxGroups: 5 });
    expect(many.found.size).toBe(5);
    expect(many.truncated).toMatch(/more than 5/);
  });

  test('a resolved group with no members is known; an unlisted one is not', () => {
    const index = new MembershipIndex(data([], ['CORP\\empty']));
    expect(index.isResolved('empty@corp.example')).toBe(true);
    expect(index.isResolved('CORP\\other')).toBe(false);
  });
});

describe('mergeMembership', () => {
  test('the first part that resolved a group keeps it; source ids stay unique', () => {
    const first = data([['CORP\\g', 'CORP\\a']], ['CORP\\g']);
    const second = data(
      [
        ['CORP\\g', 'CORP\\intruder'],
        ['CORP\\h', 'CORP\\b'],
      ],
      ['CORP\\g', 'CORP\\h'],
    );
    const merged = mergeMembership([first, second]);
    expect(merged.sources.map((s) => s.id)).toEqual(['ldap', 'ldap~2']);
    expect(merged.groups).toEqual([
      { group: 'CORP\\g', source: 'ldap' },
      { group: 'CORP\\h', source: 'ldap~2' },
    ]);
    expect(merged.edges.map((e) => `${e.group}>${e.member}@${e.source}`)).toEqual([
      'CORP\\g>CORP\\a@ldap',
      'CORP\\h>CORP\\b@ldap~2',
    ]);
  });
});
