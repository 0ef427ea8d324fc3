// The lab's PropertyCollector pages like a real vCenter (vcsim 0.24 alone does not).
import { sharedLab } from '../../helpers/lab';
import { createView, viewSpec } from './inventory-query';
import { SoapSession, faultType, objectsOf, text } from './soap-session';

let session: SoapSession;
let view: string;

beforeAll(async () => {
  session = new SoapSession(sharedLab());
  await session.login();
  view = await createView(session, 'VirtualMachine');
});

afterAll(async () => {
  await session.call('DestroyView', 'ContainerView', view);
  await session.logout();
});

type Page = { token?: string; names: string[] };

function pageOf(body: Record<string, unknown>, response: string): Page {
  const res = body[response] as { returnval?: Record<string, unknown>[] | Record<string, unknown> };
  const result = Array.isArray(res.returnval) ? res.returnval[0] : res.returnval;
  const token = result?.['token'];
  return {
    token: token === undefined ? undefined : text(token),
    names: objectsOf(result).map((o) => text(o.props['name'])),
  };
}

async function firstPage(maxObjects: number): Promise<Page> {
  const reply = await session.call(
    'RetrievePropertiesEx',
    'PropertyCollector',
    'propertyCollector',
    viewSpec(view, 'VirtualMachine', ['name']) +
      `<options><maxObjects>${maxObjects}</maxObjects></options>`,
  );
  return pageOf(reply.body, 'RetrievePropertiesExResponse');
}

async function continuePage(token: string): Promise<Page> {
  const reply = await session.call(
    'ContinueRetrievePropertiesEx',
    'PropertyCollector',
    'propertyCollector',
    `<token>${token}</token>`,
  );
  return pageOf(reply.body, 'ContinueRetrievePropertiesExResponse');
}

describe('paging', () => {
  it('returns maxObjects objects and a token, and continues until the last page', async () => {
    const first = await firstPage(3);
    expect(first.names).toHaveLength(3);
    expect(first.token).toBeDefined();

    const all = [...first.names];
    let token = first.token;
    let pages = 1;
    while (token !== undefined) {
      const page = await continuePage(token);
      expect(page.names.length).toBeGreaterThan(0);
      expect(page.names.length).toBeLessThanOrEqual(3);
      all.push(...page.names);
      token = page.token;
      pages++;
    }
    expect(pages).toBe(3); // 8 VMs in pages of 3
    expect(new Set(all).size).toBe(8);
    expect(all).toContain('=contoso&<legacy>');
  });

  it('returns everything without a token when it fits in one page', async () => {
    const page = await firstPage(100);
    expect(page.token).toBeUndefined();
    expect(page.names).toHaveLength(8);
  });

  it('rejects a finished or cancelled token with InvalidArgument', async () => {
    const first = await firstPage(2);
    const token = first.token ?? '';
    const cancel = await session.call(
      'CancelRetrievePropertiesEx',
      'PropertyCollector',
      'propertyCollector',
      `<token>${token}</token>`,
    );
    expect(cancel.status).toBe(200);
    const after = await session.call(
      'ContinueRetrievePropertiesEx',
      'PropertyCollector',
      'propertyCollector',
      `<token>${token}</token>`,
    );
    expect(faultType(after)).toBe('InvalidArgument');
  });
});
