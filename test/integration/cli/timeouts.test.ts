/**
 * Every outside wait is bounded (README "Safety"): the CLI against local servers that never
 * answer. A server that accepts TCP and stays silent fails at the TLS handshake bound (15 s)
 * with default settings; one that completes TLS and never answers HTTP fails after --timeout.
 * Both exit 3 with a message naming the host and what drperm waited for. runCli's own limit
 * (30 s) is the bound asked for: a run that hangs is killed and fails the test.
 */
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/run-cli';
import { makeSelfSignedCert, type TestCert } from '../../unit/vsphere/https-fixture';

const BOUND_MS = 30_000;

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('timeouts against servers that never answer', () => {
  let cert: TestCert;
  let out: string;
  const sockets: net.Socket[] = [];
  // Accepts the TCP connection, never says a word.
  const silentTcp = net.createServer((s) => sockets.push(s));
  // Completes the TLS handshake, reads the request, never answers.
  let silentHttps: https.Server;
  let tcpHost: string;
  let tlsHost: string;

  beforeAll(async () => {
    cert = makeSelfSignedCert();
    out = mkdtempSync(join(tmpdir(), 'drperm-timeouts-'));
    silentHttps = https.createServer({ key: cert.key, cert: cert.cert }, () => undefined);
    tcpHost = await listen(silentTcp);
    tlsHost = await listen(silentHttps);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    silentHttps.closeAllConnections();
    await Promise.all([
      new Promise((r) => silentTcp.close(r)),
      new Promise((r) => silentHttps.close(r)),
    ]);
    cert.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  const vcenterEnv = (host: string) => ({
    DRPERM_URL: `https://${host}/sdk`,
    DRPERM_USERNAME: 'administrator@vsphere.local',
    DRPERM_PASSWORD: 'never-sent-1',
    DRPERM_THUMBPRINT: cert.sha256,
  });

  it(
    'vCenter accepting TCP and never answering: exit 3 within 30 s by default, naming the host and the TLS handshake',
    async () => {
      const r = await runCli(['collect', '--out', join(out, 'a.json')], {
        env: vcenterEnv(tcpHost),
        timeoutMs: BOUND_MS,
      });
      expect(r.stderr).toContain(`TLS handshake with ${tcpHost}`);
      expect(r.stderr).toContain('waited 15 s');
      expect(r.code).toBe(3);
    },
    BOUND_MS + 5_000,
  );

  it(
    'vCenter completing TLS and never answering HTTP: exit 3 after --timeout 2, naming the call',
    async () => {
      const r = await runCli(['collect', '--timeout', '2', '--out', join(out, 'b.json')], {
        env: vcenterEnv(tlsHost),
        timeoutMs: BOUND_MS,
      });
      expect(r.stderr).toContain(`vCenter ${tlsHost} (RetrieveServiceContent)`);
      expect(r.stderr).toContain('waited 2 s for the answer');
      expect(r.code).toBe(3);
    },
    BOUND_MS + 5_000,
  );

  it(
    'NSX Manager completing TLS and never answering: exit 3 after DRPERM_TIMEOUT=2',
    async () => {
      const r = await runCli(['nsx', 'collect', '--out', join(out, 'c.json')], {
        env: {
          DRPERM_NSX_URL: `https://${tlsHost}`,
          DRPERM_NSX_USERNAME: 'cloudadmin',
          DRPERM_NSX_PASSWORD: 'never-sent-2',
          DRPERM_NSX_THUMBPRINT: cert.sha256,
          DRPERM_TIMEOUT: '2',
        },
        timeoutMs: BOUND_MS,
      });
      expect(r.stderr).toContain(`NSX Manager ${tlsHost}`);
      expect(r.stderr).toContain('waited 2 s for the answer');
      expect(r.code).toBe(3);
    },
    BOUND_MS + 5_000,
  );
});
