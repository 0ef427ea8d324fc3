/**
 * Ctrl-C during `tenant discover`: the tenant's session is logged out before drperm exits
 * (130), so no tenant session is left open on vCenter. The lab is large enough (3,000 VMs
 * the account may see) that the discovery is still paging when the signal arrives.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadScenario } from '../../lab/scenario';
import { startLab, type RunningLab } from '../../lab/launch';
import type { VimClient } from '../../../src/vsphere/client';
import { connectLab } from '../../helpers/lab';
import { labEnv } from '../../helpers/lab-info';
import { CONTOSO, REPO, TENANTS_DIR } from './tenant-lab';

const USERS = (loadScenario('lab') as { users: Array<{ name: string; password: string }> }).users;
const PASSWORD = USERS.find((u) => u.name === CONTOSO)!.password;

let lab: RunningLab;
let client: VimClient;

beforeAll(async () => {
  lab = await startLab({ scenario: 'lab', scale: { vms: 3000, tenants: 3 }, timeoutMs: 180000 });
  client = await connectLab(lab);
  // Read-only from the root down: the account's view holds every object, page after page.
  await client.setEntityPermissions(client.serviceContent.rootFolder, [
    { principal: CONTOSO, group: false, roleId: -2, propagate: true },
  ]);
}, 240000);

afterAll(async () => {
  await client?.logout();
  await lab?.stop();
});

async function tenantSessions(): Promise<string> {
  const s = await client.retrieveObject(client.serviceContent.sessionManager, ['sessionList']);
  return JSON.stringify(s?.props.get('sessionList') ?? []);
}

it('Ctrl-C while discovering logs the tenant session out, then exits 130', async () => {
  const child = spawn(
    process.execPath,
    [
      join(REPO, 'dist', 'cli.js'),
      'tenant',
      'discover',
      '--tenant',
      join(TENANTS_DIR, 'contoso.yaml'),
      '--verbose',
    ],
    {
      env: { PATH: process.env.PATH, ...labEnv(lab), DRPERM_TENANT_PASSWORD: PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  let sawTenantSession = false;
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    // The view is created with the tenant's session: interrupt while it pages.
    if (!sawTenantSession && /logged in to \S+ as VSPHERE\.LOCAL\\asr-contoso/.test(stderr)) {
      if (
        /CreateContainerView/.test(stderr.slice(stderr.indexOf('as VSPHERE.LOCAL\\asr-contoso')))
      ) {
        sawTenantSession = true;
        child.kill('SIGINT');
      }
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(sawTenantSession).toBe(true);
  expect(code).toBe(130);
  expect(stderr).toContain('SIGINT received: logging out of vCenter');
  expect(stderr).not.toContain(PASSWORD);
  const sessions = await tenantSessions();
  expect(sessions).toMatch(/administrator/i);
  expect(sessions).not.toMatch(/asr-contoso/);
}, 120000);
