/**
 * The confirmation's calls, against a scripted AuthorizationManager (fault injection: an
 * entity deleted since the snapshot): which entities go to HasUserPrivilegeOnEntities and
 * which to FetchUserPrivilegeOnEntities, batches shared by the tenants, and a vanished entity
 * left "not asked".
 */
import { AccessModel, resolveAccess } from '../../../src/audit/effective-access';
import { resolvePrincipals } from '../../../src/audit/principals';
import { confirmWithServer } from '../../../src/ops/confirm';
import { ignoreEvents } from '../../../src/ops/events';
import type { VimClient } from '../../../src/vsphere/client';
import { ManagedObjectNotFoundFault } from '../../../src/vsphere/faults';
import type { SoapRequest } from '../../../src/vsphere/requests';
import type { ResponseDecoder } from '../../../src/vsphere/decode';
import { decodeBody } from '../../helpers/soap-body';
import { resultOf } from '../../../src/vsphere/soap';
import { READ_ONLY } from '../audit/snapshot-builder';
import { twoTenants } from '../audit/two-tenants';

/** Answers as vCenter would for a table of privileges; refs in `gone` no longer exist. */
function scriptedServer(privileges: (ref: string) => string[], gone: Set<string>) {
  const calls: Array<{ method: string; user: string; entities: string[] }> = [];
  const client = {
    serviceContent: {
      authorizationManager: { type: 'AuthorizationManager', value: 'AuthorizationManager' },
    },
    call<T>(req: SoapRequest, returns: ResponseDecoder<T>): Promise<T> {
      const entities = [...req.body.matchAll(/<entities type="[^"]+">([^<]+)<\/entities>/g)].map(
        (m) => m[1]!,
      );
      const user = /<userName>([^<]*)<\/userName>/.exec(req.body)?.[1] ?? '';
      calls.push({ method: req.method, user, entities });
      const missing = entities.find((e) => gone.has(e));
      if (missing !== undefined) {
        return Promise.reject(
          new ManagedObjectNotFoundFault({
            method: req.method,
            faultType: 'ManagedObjectNotFound',
            faultString: '',
          }),
        );
      }
      const items = entities.map((e) => {
        const privs = privileges(e);
        return req.method === 'FetchUserPrivilegeOnEntities'
          ? `<returnval><entity type="X">${e}</entity>${privs.map((p) => `<privileges>${p}</privileges>`).join('')}</returnval>`
          : `<returnval><entity type="X">${e}</entity><privAvailability><privId>System.View</privId><isGranted>${privs.includes('System.View')}</isGranted></privAvailability></returnval>`;
      });
      const xml = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><${req.method}Response xmlns="urn:vim25">${items.join('')}</${req.method}Response></soapenv:Body></soapenv:Envelope>`;
      return Promise.resolve(resultOf(req.method, decodeBody(req.method, xml, returns)));
    },
  };
  return { client: client as unknown as VimClient, calls };
}

function setup() {
  const w = twoTenants();
  w.apply(w.contoso);
  const snapshot = w.b.build();
  return { ...w, snapshot, model: new AccessModel(snapshot) };
}

describe('confirmWithServer', () => {
  it('asks Has(System.View) for every entity, then Fetch where drperm computes privileges, in batches', async () => {
    const s = setup();
    const ours = resolveAccess(s.model, resolvePrincipals(s.contoso.principal));
    const server = scriptedServer((ref) => [...(ours.get(ref)?.privileges ?? [])], new Set());
    const run = await confirmWithServer(server.client, s.snapshot, [s.contoso], {
      emit: ignoreEvents,
      batchSize: 3,
      concurrency: 2,
      model: s.model,
    });
    expect(run.confirmation.totals).toEqual({
      entitiesAsked: s.snapshot.entities.length,
      agreed: s.snapshot.entities.length,
      differs: 0,
    });
    const computed = [...ours.entries()].filter(([, a]) => a.privileges.length > 0);
    expect(computed.length).toBeGreaterThan(0);
    const fetched = server.calls.filter((c) => c.method === 'FetchUserPrivilegeOnEntities');
    const has = server.calls.filter((c) => c.method === 'HasUserPrivilegeOnEntities');
    expect(has.flatMap((c) => c.entities).sort()).toEqual(
      s.snapshot.entities.map((e) => e.ref).sort(),
    );
    expect(fetched.flatMap((c) => c.entities).sort()).toEqual(computed.map(([ref]) => ref).sort());
    expect(Math.max(...server.calls.map((c) => c.entities.length))).toBeLessThanOrEqual(3);
    expect(run.calls).toEqual({ fetch: fetched.length, has: has.length });
  });

  it('asks every tenant account about the same batches, each under its own user name', async () => {
    const s = setup();
    const server = scriptedServer(() => [], new Set());
    await confirmWithServer(server.client, s.snapshot, [s.contoso, s.fabrikam], {
      emit: ignoreEvents,
      batchSize: 4,
      model: s.model,
    });
    const batchesOf = (user: string) =>
      server.calls
        .filter((c) => c.method === 'HasUserPrivilegeOnEntities' && c.user === user)
        .map((c) => c.entities.join(','))
        .sort();
    const contoso = batchesOf(s.contoso.principal);
    expect(contoso.length).toBe(Math.ceil(s.snapshot.entities.length / 4));
    expect(batchesOf(s.fabrikam.principal)).toEqual(contoso);
  });

  it('fetches everything where vCenter grants System.View against drperm, and reports it', async () => {
    const s = setup();
    const server = scriptedServer((ref) => (ref === s.f1.ref ? [...READ_ONLY] : []), new Set());
    const run = await confirmWithServer(server.client, s.snapshot, [s.contoso], {
      emit: ignoreEvents,
      model: s.model,
    });
    const f1 = server.calls.filter((c) => c.entities.includes(s.f1.ref)).map((c) => c.method);
    expect(f1).toEqual(['HasUserPrivilegeOnEntities', 'FetchUserPrivilegeOnEntities']);
    expect(
      run.findings.some((f) => f.rule === 'server-disagrees' && f.entity?.moref === s.f1.ref),
    ).toBe(true);
    expect(run.status('contoso', s.f1.ref)).toBe('differs');
  });

  it('leaves an entity deleted since the snapshot "not asked" and still answers for the rest', async () => {
    const s = setup();
    const server = scriptedServer(() => [], new Set([s.c2.ref]));
    const run = await confirmWithServer(server.client, s.snapshot, [s.contoso], {
      emit: ignoreEvents,
      batchSize: 100,
      model: s.model,
    });
    expect(run.status('contoso', s.c2.ref)).toBe('not asked');
    expect(run.confirmation.totals.entitiesAsked).toBe(s.snapshot.entities.length - 1);
  });

  it('does not ask about a group account, and says why', async () => {
    const s = setup();
    const server = scriptedServer(() => [], new Set());
    const group = { ...s.contoso, group: true };
    const run = await confirmWithServer(server.client, s.snapshot, [group], { emit: ignoreEvents });
    expect(server.calls).toEqual([]);
    expect(run.confirmation.tenants[0]).toMatchObject({ asked: false });
    expect(run.confirmation.tenants[0]!.reason).toContain('vCenter answers for user names only');
  });
});
