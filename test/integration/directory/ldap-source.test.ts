/**
 * The LDAP membership source against a real OpenLDAP (test/ldap/slapd.ts): TLS with the
 * test CA over ldaps:// and StartTLS, nested groups, a cycle, a group larger than the
 * server's size limit (paged results), and the failures an auditor must be told about.
 */
import { readFileSync } from 'node:fs';
import { Client, SizeLimitExceededError } from 'ldapts';
import { LdapMembershipSource, type LdapSettings } from '../../../src/directory/ldap-source';
import { MembershipIndex } from '../../../src/directory/expand';
import { readMembership } from '../../../src/directory/read';
import { DrpermError, ExitCode } from '../../../src/util/errors';
import { BULK_MEMBERS, DOMAIN, DOMAIN_ALIAS, SIZE_LIMIT } from '../../ldap/directory';
import { startDirectory, type TestDirectory } from '../../ldap/slapd';

describe('LDAP membership source on OpenLDAP', () => {
  let dir: TestDirectory;
  const settings = (over: Partial<LdapSettings> = {}): LdapSettings => ({
    url: dir.ldapsUrl,
    caFile: dir.caFile,
    bindDn: dir.bindDn,
    password: dir.password,
    bases: [{ domains: [DOMAIN, DOMAIN_ALIAS], baseDn: dir.suffix }],
    ...over,
  });

  /** The error open() fails with (a DrpermError), or a test failure when it succeeds. */
  const failure = async (over: Partial<LdapSettings>): Promise<DrpermError> => {
    try {
      const source = await LdapMembershipSource.open(settings(over));
      await source.close();
    } catch (err) {
      expect(err).toBeInstanceOf(DrpermError);
      return err as DrpermError;
    }
    throw new Error('open() succeeded');
  };

  beforeAll(async () => {
    dir = await startDirectory();
  }, 60000);
  afterAll(async () => {
    await dir?.stop();
  });

  it.each(['ldaps', 'starttls'])('reads a group nested three deep over %s', async (how) => {
    const source = await LdapMembershipSource.open(
      settings(how === 'ldaps' ? {} : { url: dir.ldapUrl }),
    );
    try {
      expect(source.nestedMode).toBe('member-of');
      const data = await readMembership([source], { groups: ['CORP\\dr-operators'] });
      expect(data.groups.map((g) => g.group).sort()).toEqual([
        'CORP\\dr-operators',
        'CORP\\dr-tier2',
        'CORP\\dr-tier3',
      ]);
      expect(data.unresolved).toEqual([]);
      const index = new MembershipIndex(data);
      const path = index.containingGroups('asr-fabrikam@corp.example').found;
      const chain = [...path.values()].find((p) => p.group === 'CORP\\dr-operators')!;
      expect(chain.edges.map((e) => `${e.member} in ${e.group}`)).toEqual([
        'CORP\\asr-fabrikam in CORP\\dr-tier3',
        'CORP\\dr-tier3 in CORP\\dr-tier2',
        'CORP\\dr-tier2 in CORP\\dr-operators',
      ]);
      expect(data.sources).toEqual([
        expect.objectContaining({
          kind: 'ldap',
          location: how === 'ldaps' ? dir.ldapsUrl : dir.ldapUrl,
          domains: [[DOMAIN, DOMAIN_ALIAS]],
        }),
      ]);
    } finally {
      await source.close();
    }
  });

  it('ends on a membership cycle and reports it', async () => {
    const source = await LdapMembershipSource.open(settings());
    try {
      const data = await readMembership([source], { groups: ['CORP.EXAMPLE\\cycle-a'] });
      expect(data.groups.map((g) => g.group).sort()).toEqual(['CORP\\cycle-a', 'CORP\\cycle-b']);
      expect(new MembershipIndex(data).cycles()).toEqual([['CORP\\cycle-a', 'CORP\\cycle-b']]);
    } finally {
      await source.close();
    }
  });

  it.each([40, undefined])(
    `reads all ${BULK_MEMBERS} members of a group through pages of at most ${SIZE_LIMIT} (page size %s)`,
    async (pageSize) => {
      const source = await LdapMembershipSource.open(settings(pageSize ? { pageSize } : {}));
      try {
        const data = await readMembership([source], { groups: ['corp\\bulk-staff'] });
        const members = data.edges.filter((e) => e.group === 'CORP\\bulk-staff');
        expect(new Set(members.map((e) => e.member)).size).toBe(BULK_MEMBERS);
        expect(members.every((e) => !e.memberIsGroup && /^CORP\\bulk-\d{3}$/.test(e.member))).toBe(
          true,
        );
      } finally {
        await source.close();
      }
    },
  );

  it('the test server refuses the large group without paging (so the test above needs pages)', async () => {
    const client = new Client({
      url: dir.ldapsUrl,
      timeout: 10000,
      tlsOptions: { ca: readFileSync(dir.caFile) },
    });
    try {
      await client.bind(dir.bindDn, dir.password);
      await expect(
        client.search(dir.suffix, { scope: 'sub', filter: '(uid=bulk-*)', attributes: ['uid'] }),
      ).rejects.toBeInstanceOf(SizeLimitExceededError);
    } finally {
      await client.unbind();
    }
  });

  it('says a group it does not have is not found', async () => {
    const source = await LdapMembershipSource.open(settings());
    try {
      const data = await readMembership([source], { groups: ['CORP\\no-such-group'] });
      expect(data.unresolved).toEqual([
        { group: 'CORP\\no-such-group', reason: `not found in ${dir.ldapsUrl}` },
      ]);
    } finally {
      await source.close();
    }
  });

  it('refuses a wrong password with a clear message and no password in it', async () => {
    const err = await failure({ password: 'wrong-Secret-42' });
    expect(err.exitCode).toBe(ExitCode.Server);
    expect(err.message).toMatch(/invalid credentials/);
    expect(err.message).not.toContain('wrong-Secret-42');
  });

  it('refuses a server certificate its CA did not sign', async () => {
    // Without --ldap-ca-file only the system's CAs are trusted; they did not sign the test server.
    const err = await failure({ caFile: undefined } as Partial<LdapSettings>);
    expect(err.exitCode).toBe(ExitCode.Server);
    expect(err.hint).toMatch(/--ldap-ca-file/);
  });

  it('refuses a base DN that does not exist as a usage error', async () => {
    const err = await failure({ bases: [{ domains: ['CORP'], baseDn: 'dc=nowhere,dc=example' }] });
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toMatch(/dc=nowhere,dc=example/);
  });
});
