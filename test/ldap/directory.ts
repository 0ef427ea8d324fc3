/**
 * The test directory's content, as LDIF: an Active-Directory-like domain CORP
 * (dc=corp,dc=example) on OpenLDAP, with
 * - dr-operators ⊃ dr-tier2 ⊃ dr-tier3 ⊃ asr-fabrikam: nested three deep;
 * - cycle-a ⊃ cycle-b ⊃ cycle-a: a membership cycle;
 * - shared-svc in both tenants' group accounts (contoso-asr and fabrikam-asr);
 * - bulk-staff with more members than the server returns in one page.
 */
export const SUFFIX = 'dc=corp,dc=example';
export const DOMAIN = 'CORP';
export const DOMAIN_ALIAS = 'CORP.EXAMPLE';
export const ADMIN_DN = `cn=admin,${SUFFIX}`;
export const AUDIT_DN = `cn=drperm-audit,ou=service,${SUFFIX}`;
/** The server's size limit: a larger group can only be read with paged results. */
export const SIZE_LIMIT = 50;
export const BULK_MEMBERS = 120;

export const USERS = ['asr-contoso', 'asr-fabrikam', 'alice', 'bob', 'carol', 'shared-svc'];
const BULK = Array.from(
  { length: BULK_MEMBERS },
  (_, i) => `bulk-${String(i + 1).padStart(3, '0')}`,
);

const userDn = (uid: string) => `uid=${uid},ou=people,${SUFFIX}`;
const groupDn = (cn: string) => `cn=${cn},ou=groups,${SUFFIX}`;

/** Group -> members (users by uid, groups as `group:cn`). */
export const GROUPS: Record<string, string[]> = {
  'dr-operators': ['group:dr-tier2', 'alice'],
  'dr-tier2': ['group:dr-tier3', 'bob'],
  'dr-tier3': ['asr-fabrikam'],
  'cycle-a': ['group:cycle-b', 'carol'],
  'cycle-b': ['group:cycle-a'],
  'contoso-asr': ['asr-contoso', 'shared-svc'],
  'fabrikam-asr': ['asr-fabrikam', 'shared-svc'],
  'bulk-staff': BULK,
};

function entry(dn: string, attrs: Array<[string, string]>): string {
  return [`dn: ${dn}`, ...attrs.map(([k, v]) => `${k}: ${v}`)].join('\n') + '\n';
}

/** Entries in an order ldapadd accepts (a group's members exist before it, except in the cycle). */
export function directoryLdif(auditPassword: string): string {
  const out: string[] = [
    entry(SUFFIX, [
      ['objectClass', 'dcObject'],
      ['objectClass', 'organization'],
      ['dc', 'corp'],
      ['o', 'Corp'],
    ]),
  ];
  for (const ou of ['people', 'groups', 'service']) {
    out.push(
      entry(`ou=${ou},${SUFFIX}`, [
        ['objectClass', 'organizationalUnit'],
        ['ou', ou],
      ]),
    );
  }
  out.push(
    entry(AUDIT_DN, [
      ['objectClass', 'person'],
      ['cn', 'drperm-audit'],
      ['sn', 'audit'],
      ['userPassword', auditPassword],
    ]),
  );
  for (const uid of [...USERS, ...BULK]) {
    out.push(
      entry(userDn(uid), [
        ['objectClass', 'inetOrgPerson'],
        ['uid', uid],
        ['cn', uid],
        ['sn', uid],
      ]),
    );
  }
  // groupOfNames needs at least one member: the cycle's second edge is added by a modify.
  const order = [
    'dr-tier3',
    'dr-tier2',
    'dr-operators',
    'cycle-a',
    'cycle-b',
    'contoso-asr',
  ].concat(['fabrikam-asr', 'bulk-staff']);
  for (const cn of order) {
    const members = GROUPS[cn]!.filter((m) => !(cn === 'cycle-a' && m === 'group:cycle-b'));
    const dns = members.map((m) => (m.startsWith('group:') ? groupDn(m.slice(6)) : userDn(m)));
    out.push(
      entry(groupDn(cn), [
        ['objectClass', 'groupOfNames'],
        ['cn', cn],
        ...(dns.length > 0 ? dns : [userDn('carol')]).map((d): [string, string] => ['member', d]),
      ]),
    );
  }
  out.push(
    [
      `dn: ${groupDn('cycle-a')}`,
      'changetype: modify',
      'add: member',
      `member: ${groupDn('cycle-b')}`,
      '',
    ].join('\n'),
  );
  return out.join('\n');
}
