import { exportLines, shellQuote } from '../../lab/lab-cli';
import { labArguments, parseLabInfo } from '../../lab/launch';

describe('lab CLI helpers', () => {
  it('single-quotes values for POSIX shells, including single quotes', () => {
    expect(shellQuote('Lab&<Pass>1')).toBe(`'Lab&<Pass>1'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
  });

  it('prints the DRPERM_ environment with the password quoted', () => {
    const lines = exportLines({
      url: 'https://127.0.0.1:1/sdk',
      username: 'administrator@vsphere.local',
      password: 'a$b&c',
      thumbprintSha256: 'AA:BB',
      thumbprintSha1: 'CC',
      certFile: '/tmp/c.pem',
    });
    expect(lines).toContain(`export DRPERM_PASSWORD='a$b&c'`);
    expect(lines).toContain(`export DRPERM_THUMBPRINT='AA:BB'`);
    expect(lines.join('\n')).toMatch(/DRPERM_INSECURE=1/);
  });

  it('passes scale knobs as flags and skips unset ones', () => {
    const args = labArguments({ port: 8989, scale: { vms: 45000, tenants: 0 } });
    expect(args).toEqual(
      expect.arrayContaining(['--port', '8989', '--scale-vms', '45000', '--exit-on-stdin-eof']),
    );
    expect(args).not.toContain('--scale-tenants');
  });

  it('passes vcsimSemantics through as the Go lab flag, and only when asked', () => {
    expect(labArguments({ vcsimSemantics: true })).toContain('--vcsim-semantics');
    expect(labArguments({ vcsimSemantics: false })).not.toContain('--vcsim-semantics');
    expect(labArguments({})).not.toContain('--vcsim-semantics');
  });

  it('parses the ready line and rejects one that lacks a field', () => {
    const info = {
      url: 'u',
      username: 'n',
      password: 'p',
      thumbprintSha256: 't',
      thumbprintSha1: 's',
      certFile: 'c',
    };
    expect(parseLabInfo(JSON.stringify({ ...info, extra: 1 }))).toEqual(info);
    expect(() => parseLabInfo(JSON.stringify({ url: 'u' }))).toThrow(/lacks "username"/);
  });
});
