/** The directory flags: validation, and where the LDAP password may come from (never a flag). */
import { ldapSettings } from '../../../src/cli/membership-options';
import { memberFilter, parseBaseDn } from '../../../src/directory/ldap-source';
import { ExitCode } from '../../../src/util/errors';

const BASE = ['CORP,CORP.EXAMPLE=DC=corp,DC=example'];
const noTty = { env: {}, stdinIsTty: false };

describe('--ldap settings', () => {
  test('--ldap-base-dn takes a domain with aliases and a DN', () => {
    expect(parseBaseDn('corp,corp.example=DC=corp,DC=example')).toEqual({
      domains: ['CORP', 'CORP.EXAMPLE'],
      baseDn: 'DC=corp,DC=example',
    });
    expect(() => parseBaseDn('DC=corp,DC=example')).toThrow(/is not DOMAIN=DN/);
    expect(() => parseBaseDn('CORP=')).toThrow(/is not DOMAIN=DN/);
  });

  test('none without --ldap; its companions alone are a usage error', async () => {
    await expect(ldapSettings({}, noTty)).resolves.toBeUndefined();
    await expect(ldapSettings({ ldapBindDn: 'cn=x' }, noTty)).rejects.toMatchObject({
      exitCode: ExitCode.Usage,
      message: '--ldap-* options need --ldap URL',
    });
    await expect(ldapSettings({ ldap: 'ldaps://dc' }, noTty)).rejects.toThrow(/--ldap-base-dn/);
  });

  test('the password comes from DRPERM_LDAP_PASSWORD, stdin, or a prompt', async () => {
    const opts = { ldap: 'ldaps://dc', ldapBaseDn: BASE, ldapBindDn: 'cn=audit' };
    expect(
      (await ldapSettings(opts, { env: { DRPERM_LDAP_PASSWORD: 'from-env' } }))!.password,
    ).toBe('from-env');
    const fromStdin = await ldapSettings(
      { ...opts, ldapPasswordStdin: true },
      { env: { DRPERM_LDAP_PASSWORD: 'ignored' }, readStdin: () => Promise.resolve('from-stdin') },
    );
    expect(fromStdin!.password).toBe('from-stdin');
    const asked: string[] = [];
    const prompted = await ldapSettings(opts, {
      env: {},
      stdinIsTty: true,
      prompt: (q) => {
        asked.push(q);
        return Promise.resolve('typed');
      },
    });
    expect(prompted!.password).toBe('typed');
    expect(asked).toEqual(['LDAP password for cn=audit: ']);
    await expect(ldapSettings(opts, noTty)).rejects.toThrow(/no LDAP password given/);
  });

  test('standard input cannot carry both passwords', async () => {
    await expect(
      ldapSettings(
        {
          ldap: 'ldaps://dc',
          ldapBaseDn: BASE,
          ldapBindDn: 'cn=a',
          ldapPasswordStdin: true,
          passwordStdin: true,
        },
        noTty,
      ),
    ).rejects.toThrow(/cannot both read standard input/);
  });

  test('bad values name the flag', async () => {
    const base = { ldap: 'ldaps://dc', ldapBaseDn: BASE };
    await expect(ldapSettings({ ...base, ldapNested: 'deep' }, noTty)).rejects.toThrow(
      /--ldap-nested "deep" is not one of in-chain, member-of/,
    );
    await expect(ldapSettings({ ...base, ldapPageSize: '0' }, noTty)).rejects.toThrow(
      /--ldap-page-size/,
    );
    expect(
      (await ldapSettings({ ...base, ldapTimeout: '5', ldapSchema: 'AD' }, noTty))!,
    ).toMatchObject({
      timeoutMs: 5000,
      schema: 'ad',
    });
  });
});

describe('LDAP member filters', () => {
  test('in-chain uses the AD matching rule; DN values are escaped', () => {
    expect(memberFilter('CN=ops (eu),OU=Groups,DC=corp', 'in-chain')).toBe(
      '(memberOf:1.2.840.113556.1.4.1941:=CN=ops \\28eu\\29,OU=Groups,DC=corp)',
    );
    expect(memberFilter('cn=a*b,dc=corp', 'member-of')).toBe('(memberOf=cn=a\\2ab,dc=corp)');
  });
});
