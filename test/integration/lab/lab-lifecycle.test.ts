// The lab process itself: ready line, TLS identity, credentials, clean stop.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { sharedLab, startLab } from '../../helpers/lab';
import { SoapSession, faultType } from './soap-session';

describe('simulator lab', () => {
  it('listens with TLS on 127.0.0.1 and reports its certificate thumbprints', () => {
    const lab = sharedLab();
    expect(lab.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/sdk$/);
    const cert = new X509Certificate(readFileSync(lab.certFile));
    expect(lab.thumbprintSha256).toBe(cert.fingerprint256);
    expect(lab.thumbprintSha1).toBe(cert.fingerprint);
    expect(lab.thumbprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('uses a password with XML-special characters by default', () => {
    expect(sharedLab().password).toMatch(/[&<>]/);
  });

  it('accepts the lab credentials and rejects a bad password or user with InvalidLogin', async () => {
    const lab = sharedLab();
    const good = new SoapSession(lab);
    const ok = await good.login();
    expect(ok.status).toBe(200);
    expect(ok.body['LoginResponse']).toBeDefined();
    await good.logout();

    const badPassword = await new SoapSession(lab).login(lab.password + 'x');
    expect(badPassword.status).toBe(500);
    expect(faultType(badPassword)).toBe('InvalidLogin');

    const badUser = await new SoapSession(lab).login(lab.password, 'someone@vsphere.local');
    expect(faultType(badUser)).toBe('InvalidLogin');
  });

  it('refuses calls without a session', async () => {
    const reply = await new SoapSession(sharedLab()).call(
      'RetrieveAllPermissions',
      'AuthorizationManager',
      'AuthorizationManager',
    );
    expect(faultType(reply)).toBe('NotAuthenticated');
  });

  it('stops cleanly and removes its temporary files', async () => {
    const lab = await startLab();
    const session = new SoapSession(lab);
    expect((await session.login()).status).toBe(200);
    const workDir = dirname(lab.certFile);
    expect(existsSync(workDir)).toBe(true);
    await lab.stop();
    expect(existsSync(workDir)).toBe(false);
    // Nobody answers any more: refused on a new connection, or, when Node reuses the idle
    // keep-alive socket before it has seen the lab's close, a hang-up on that socket.
    await expect(session.login()).rejects.toThrow(/ECONNREFUSED|ECONNRESET|socket hang up/);
  });
});
