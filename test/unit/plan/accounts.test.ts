import {
  checkAccount,
  checkAccounts,
  splitPrincipal,
  type UserDirectoryApi,
} from '../../../src/plan/accounts';
import type { UserSearch } from '../../../src/vsphere/requests';
import type { UserSearchResult } from '../../../src/vsphere/types';

const LOGIN = 'administrator@vsphere.local';

/**
 * A user directory with a fixed set of accounts, answering like vCenter (bare principal
 * names). It lists the logged-in account unless told it hides it (as the simulator does).
 */
function directory(
  users: UserSearchResult[],
  listsLogin = true,
): UserDirectoryApi & { searches: UserSearch[] } {
  const searches: UserSearch[] = [];
  if (listsLogin) users = [...users, { principal: 'administrator', group: false }];
  return {
    username: LOGIN,
    searches,
    async retrieveUserGroups(search) {
      searches.push(search);
      return users.filter(
        (u) =>
          u.principal.toLowerCase() === search.searchStr.toLowerCase() &&
          (u.group ? search.findGroups : search.findUsers),
      );
    },
  };
}

describe('checkAccount', () => {
  const dir = directory([
    { principal: 'asr-contoso', group: false },
    { principal: 'asr-admins', group: true },
  ]);

  it('finds a user by exact name in its domain', async () => {
    expect(
      await checkAccount(dir, { principal: 'VSPHERE.LOCAL\\asr-contoso', group: false }),
    ).toEqual({ status: 'exists' });
    expect(dir.searches.at(-1)).toEqual({
      domain: 'VSPHERE.LOCAL',
      searchStr: 'asr-contoso',
      exactMatch: true,
      findUsers: true,
      findGroups: false,
    });
  });

  it('reports a missing account, and a group searched as a user as missing', async () => {
    expect(
      await checkAccount(dir, { principal: 'VSPHERE.LOCAL\\asr-contso', group: false }),
    ).toEqual({ status: 'missing' });
    expect(
      await checkAccount(dir, { principal: 'VSPHERE.LOCAL\\asr-admins', group: false }),
    ).toEqual({ status: 'missing' });
    expect(
      await checkAccount(dir, { principal: 'VSPHERE.LOCAL\\asr-admins', group: true }),
    ).toEqual({ status: 'exists' });
  });

  it('is unverified when the directory cannot be searched', async () => {
    const broken: UserDirectoryApi = {
      username: LOGIN,
      retrieveUserGroups: () => Promise.reject(new Error('NotFound: domain')),
    };
    expect(await checkAccount(broken, { principal: 'CORP\\svc', group: false })).toEqual({
      status: 'unverified',
      reason: 'RetrieveUserGroups failed: NotFound: domain',
    });
  });

  it('is unverified when the directory does not find the logged-in account either (the simulator)', async () => {
    const sim = directory([], false);
    const status = await checkAccount(sim, {
      principal: 'VSPHERE.LOCAL\\asr-contoso',
      group: false,
    });
    expect(status.status).toBe('unverified');
    expect(status).toMatchObject({ reason: expect.stringContaining(LOGIN) });
    // The second search is the logged-in account, in its domain.
    expect(sim.searches[1]).toMatchObject({
      domain: 'VSPHERE.LOCAL',
      searchStr: 'administrator',
      findUsers: true,
    });
  });

  it('finds an account written as user@domain in its domain', async () => {
    expect(
      await checkAccount(dir, { principal: 'asr-contoso@vsphere.local', group: false }),
    ).toEqual({ status: 'exists' });
    expect(dir.searches.at(-1)).toMatchObject({
      domain: 'VSPHERE.LOCAL',
      searchStr: 'asr-contoso',
    });
  });

  it('checks each account once', async () => {
    const d = directory([{ principal: 'asr-contoso', group: false }]);
    const map = await checkAccounts(d, [
      { principal: 'VSPHERE.LOCAL\\asr-contoso', group: false },
      { principal: 'asr-contoso@vsphere.local', group: false },
    ]);
    expect(map.size).toBe(1);
    expect(d.searches).toHaveLength(1);
  });

  it('splits DOMAIN\\name', () => {
    expect(splitPrincipal('VSPHERE.LOCAL\\asr')).toEqual({ domain: 'VSPHERE.LOCAL', name: 'asr' });
    expect(splitPrincipal('asr')).toEqual({ name: 'asr' });
  });
});
