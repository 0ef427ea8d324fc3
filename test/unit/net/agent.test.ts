/**
 * The trust-checking agent resumes the TLS session of a trusted connection (the requests in
 * flight do not each pay a full handshake) and still judges every connection: a session does
 * not let another server in.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { TrustCheckingAgent } from '../../../src/net/agent';
import { makeSelfSignedCert, type TestCert } from '../vsphere/https-fixture';

function agentPinning(cert: TestCert): TrustCheckingAgent {
  return new TrustCheckingAgent({
    trust: { mode: 'pin', thumbprint: { algorithm: 'sha256', hex: cert.sha256 } },
    trustHint: 'trust hint',
    connectTimeoutMs: 5000,
    maxSockets: 4,
  });
}

/** One connection through the agent; resolves once it is judged (and its session is in). */
function connect(agent: TrustCheckingAgent, port: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    agent.createConnection({ host: '127.0.0.1', port }, (err: Error | null, s: Duplex) => {
      if (err) return reject(err);
      const socket = s as TLSSocket;
      // TLS 1.3 tickets follow the handshake: wait for one before the next connection.
      if (socket.isSessionReused()) resolve(socket);
      else socket.once('session', () => resolve(socket));
    });
  });
}

async function listen(cert: TestCert, port = 0): Promise<https.Server> {
  const server = https.createServer({ key: cert.key, cert: cert.cert }, (_req, res) => res.end());
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return server;
}

const close = (server: https.Server) => {
  server.closeAllConnections();
  return new Promise((r) => server.close(r));
};

describe('TrustCheckingAgent', () => {
  let cert: TestCert;
  let other: TestCert;
  beforeAll(() => {
    cert = makeSelfSignedCert();
    other = makeSelfSignedCert();
  });
  afterAll(() => {
    cert.cleanup();
    other.cleanup();
  });

  it('resumes the session of a trusted connection for the next one', async () => {
    const server = await listen(cert);
    const port = (server.address() as AddressInfo).port;
    const agent = agentPinning(cert);
    try {
      const first = await connect(agent, port);
      const second = await connect(agent, port);
      expect(first.isSessionReused()).toBe(false);
      expect(second.isSessionReused()).toBe(true);
      first.destroy();
      second.destroy();
    } finally {
      agent.destroy();
      await close(server);
    }
  });

  it('does not keep the session of a connection it refused', async () => {
    const server = await listen(other);
    const port = (server.address() as AddressInfo).port;
    const agent = agentPinning(cert);
    try {
      await expect(connect(agent, port)).rejects.toThrow(/does not match the pinned/);
      await expect(connect(agent, port)).rejects.toThrow(/does not match the pinned/);
    } finally {
      agent.destroy();
      await close(server);
    }
  });

  it('refuses another server on the same address after a trusted session', async () => {
    const trusted = await listen(cert);
    const port = (trusted.address() as AddressInfo).port;
    const agent = agentPinning(cert);
    try {
      (await connect(agent, port)).destroy();
      await close(trusted);
      const impostor = await listen(other, port);
      try {
        await expect(connect(agent, port)).rejects.toThrow(/does not match the pinned/);
      } finally {
        await close(impostor);
      }
    } finally {
      agent.destroy();
    }
  });
});
