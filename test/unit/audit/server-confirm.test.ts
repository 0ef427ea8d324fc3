/** Comparing drperm's computed access with vCenter's answers, entity by entity. */
import { AccessModel, resolveAccess } from '../../../src/audit/effective-access';
import { resolvePrincipals } from '../../../src/audit/principals';
import { compareWithServer, type ServerAnswer } from '../../../src/audit/server-confirm';
import { READ_ONLY } from './snapshot-builder';
import { ASR_PRIVILEGES, CONTOSO, twoTenants } from './two-tenants';

function setup() {
  const w = twoTenants();
  w.apply(w.contoso);
  const model = new AccessModel(w.b.build());
  const principals = resolvePrincipals(CONTOSO);
  const access = resolveAccess(model, principals);
  /** vCenter's answers, the same as drperm's computation for every entity. */
  const agreeing = new Map<string, ServerAnswer>(
    model.inventory.entities.map((e) => {
      const ours = access.get(e.ref)?.privileges ?? [];
      return [e.ref, ours.length > 0 ? [...ours].reverse() : null];
    }),
  );
  const input = (answers?: Map<string, ServerAnswer>) => ({
    tenant: 'contoso',
    principal: CONTOSO,
    principals,
    access,
    ...(answers ? { answers } : { reason: 'the account is a group' }),
  });
  return { ...w, model, access, agreeing, input };
}

describe('compareWithServer', () => {
  it('confirms every entity where vCenter gives the same privileges (order does not matter)', () => {
    const s = setup();
    const out = compareWithServer(s.model, [s.input(s.agreeing)]);
    expect(out.findings).toEqual([]);
    expect(out.confirmation.totals).toEqual({
      entitiesAsked: s.model.inventory.size,
      agreed: s.model.inventory.size,
      differs: 0,
    });
    expect(out.status('contoso', s.c1.ref)).toBe('yes');
    expect(out.status('fabrikam', s.c1.ref)).toBe('not asked');
  });

  it('a different answer is a server-disagrees finding with both answers', () => {
    const s = setup();
    const answers = new Map(s.agreeing);
    answers.set(s.f1.ref, [...READ_ONLY]); // vCenter lets contoso see fabrikam's VM
    answers.set(s.c1.ref, [...READ_ONLY]); // and gives less than the role on contoso's own
    const out = compareWithServer(s.model, [s.input(answers)], 'groups.yaml');
    expect(out.findings.map((f) => [f.rule, f.severity, f.entity!.path])).toEqual([
      ['server-disagrees', 'high', s.c1.path],
      ['server-disagrees', 'high', s.f1.path],
    ]);
    const [own, foreign] = out.findings;
    expect(own!.details).toContain(`only in drperm's: ${[...ASR_PRIVILEGES].sort().join(', ')}`);
    expect(own!.evidence.map((e) => e.entity.path)).toEqual([s.c1.path]);
    expect(foreign!.details![0]).toBe(
      'vCenter (FetchUserPrivilegeOnEntities): System.Anonymous, System.Read, System.View',
    );
    expect(foreign!.details![1]).toBe('drperm: (none)');
    expect(out.status('contoso', s.f1.ref)).toBe('differs');
    expect(out.confirmation.totals.differs).toBe(2);
    expect(out.confirmation.groupNote).toContain('groups.yaml');
  });

  it('"lacks System.View" agrees only where drperm computes nothing', () => {
    const s = setup();
    const answers = new Map(s.agreeing);
    answers.set(s.c1.ref, null);
    const out = compareWithServer(s.model, [s.input(answers)]);
    expect(out.findings.map((f) => f.entity!.path)).toEqual([s.c1.path]);
  });

  it('a tenant not asked is listed with the reason, and its rows are "not asked"', () => {
    const s = setup();
    const out = compareWithServer(s.model, [s.input()]);
    expect(out.confirmation.tenants).toEqual([
      {
        tenant: 'contoso',
        principal: CONTOSO,
        asked: false,
        reason: 'the account is a group',
        entitiesAsked: 0,
        agreed: 0,
        differs: 0,
      },
    ]);
    expect(out.status('contoso', s.c1.ref)).toBe('not asked');
  });
});
