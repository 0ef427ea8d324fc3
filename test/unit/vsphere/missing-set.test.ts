/**
 * missingSet (issue 9 §2): a property drperm needs that a real vCenter reports in missingSet
 * (HTTP 200) is a typed error, never an empty list; a lost session there is the re-login.
 * A stub vCenter (fault injection) answers one response with a missingSet.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../src/util/log';
import { VimClient } from '../../../src/vsphere/client';
import { MissingPropertyError, NoPermissionFault } from '../../../src/vsphere/faults';
import { runCli } from '../../helpers/run-cli';
import {
  makeSelfSignedCert,
  methodOf,
  SERVICE_CONTENT,
  soapOk,
  startServer,
  type Responder,
  type TestCert,
  type TestServer,
} from './https-fixture';

const PASSWORD = 'Stub&Pass1';
const ROLES =
  '<returnval><objects><obj type="AuthorizationManager">AuthorizationManager</obj><propSet><name>roleList</name><val xsi:type="ArrayOfAuthorizationRole"><AuthorizationRole><roleId>-1</roleId><system>true</system><name>Admin</name><privilege>System.View</privilege></AuthorizationRole></val></propSet></objects></returnval>';

/** A missingSet for `path` of the AuthorizationManager with the given fault. */
function missing(path: string, fault: string): string {
  return `<returnval><objects><obj type="AuthorizationManager">AuthorizationManager</obj><missingSet><path>${path}</path><fault><fault xsi:type="${fault}"><object type="Folder">group-d1</object><privilegeId>System.View</privilegeId></fault><localizedMessage>Permission to perform this operation was denied.</localizedMessage></fault></missingSet></objects></returnval>`;
}

function stub(roleList: (n: number) => string): Responder {
  let roleCalls = 0;
  return (req) => {
    const method = methodOf(req.body);
    if (method === 'RetrieveServiceContent') return soapOk(method, SERVICE_CONTENT);
    if (method === 'Login') {
      return {
        ...soapOk(method, '<returnval><key>k</key></returnval>'),
        headers: { 'Set-Cookie': 'vmware_soap_session="52aa"; Path=/; HttpOnly; Secure' },
      };
    }
    if (['Logout', 'DestroyView', 'RetrieveAllPermissions'].includes(method))
      return soapOk(method, '');
    if (method === 'CreateContainerView') {
      return soapOk(method, '<returnval type="ContainerView">session[stub]view-1</returnval>');
    }
    if (method === 'RetrievePropertiesEx' && req.body.includes('<pathSet>roleList</pathSet>')) {
      return soapOk(method, roleList(++roleCalls));
    }
    if (method === 'RetrievePropertiesEx') return soapOk(method, '');
    return { status: 500, body: 'unexpected' };
  };
}

describe('a property in missingSet', () => {
  let cert: TestCert;
  let server: TestServer;
  beforeAll(async () => {
    cert = makeSelfSignedCert();
    server = await startServer(
      cert,
      stub(() => ''),
    );
  });
  afterAll(async () => {
    await server.close();
    cert.cleanup();
  });
  beforeEach(() => {
    server.received.length = 0;
  });
  const options = () => ({
    url: server.url,
    username: 'u',
    password: PASSWORD,
    thumbprint: cert.sha256,
  });
  const log = createLogger({ write: () => undefined });

  it('roleList with NoPermission is a typed error naming the object, the property and the privilege', async () => {
    server.respond = stub(() => missing('roleList', 'NoPermission'));
    const client = await VimClient.connect(options(), log);
    const err = await client.roleList().catch((e: unknown) => e);
    await client.logout();
    expect(err).toBeInstanceOf(MissingPropertyError);
    const m = err as MissingPropertyError;
    expect(m.obj).toEqual({ type: 'AuthorizationManager', value: 'AuthorizationManager' });
    expect(m.path).toBe('roleList');
    expect(m.fault).toBeInstanceOf(NoPermissionFault);
    expect(m.exitCode).toBe(3);
    expect(m.message).toBe(
      'vCenter did not return roleList of AuthorizationManager AuthorizationManager: NoPermission (privilege System.View on Folder group-d1)',
    );
  });

  it('a NotAuthenticated in missingSet logs in again once and repeats the read', async () => {
    server.respond = stub((n) => (n === 1 ? missing('roleList', 'NotAuthenticated') : ROLES));
    const client = await VimClient.connect(options(), log);
    const roles = await client.roleList();
    await client.logout();
    expect(roles.map((r) => r.name)).toEqual(['Admin']);
    expect(server.received.map((r) => methodOf(r.body)).filter((m) => m === 'Login')).toHaveLength(
      2,
    );
  });

  it('drperm collect exits 3 and writes no snapshot when roleList is in missingSet', async () => {
    server.respond = stub(() => missing('roleList', 'NoPermission'));
    const dir = mkdtempSync(join(tmpdir(), 'drperm-missing-'));
    try {
      const out = join(dir, 'snapshot.json');
      const r = await runCli(['collect', '--out', out], {
        env: {
          DRPERM_URL: server.url,
          DRPERM_USERNAME: 'u',
          DRPERM_PASSWORD: PASSWORD,
          DRPERM_THUMBPRINT: cert.sha256,
        },
      });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('did not return roleList of AuthorizationManager');
      expect(r.stderr).toContain('NoPermission (privilege System.View');
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
