/**
 * A real OpenLDAP server for the directory tests: Debian's slapd (scripts/install-sim-deps.sh
 * installs it), started on free loopback ports from a configuration written here, with the
 * test suffix loaded from LDIF through the server (so the memberof overlay maintains
 * memberOf), TLS from a test CA, a size limit that forces paged results, and stopped
 * afterwards. Nothing of Debian's own slapd service is used.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_DN, AUDIT_DN, directoryLdif, SIZE_LIMIT, SUFFIX } from './directory';
import { makeTestCa } from './test-ca';

export const SLAPD = '/usr/sbin/slapd';

export interface TestDirectory {
  /** ldaps://127.0.0.1:PORT */
  ldapsUrl: string;
  /** ldap://127.0.0.1:PORT (StartTLS) */
  ldapUrl: string;
  caFile: string;
  bindDn: string;
  password: string;
  suffix: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 30000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args[0] ?? ''}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
    child.stdin?.end(input ?? '');
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`slapd exited (${child.exitCode}):\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`slapd did not listen on ${port} within 15 s:\n${log()}`);
}

export async function startDirectory(): Promise<TestDirectory> {
  if (!existsSync(SLAPD)) {
    throw new Error(
      `${SLAPD} is missing: run scripts/install-sim-deps.sh (Debian packages slapd, ldap-utils)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'drperm-slapd-'));
  const db = join(dir, 'db');
  mkdirSync(db);
  const ca = makeTestCa(dir);
  const adminPassword = randomBytes(12).toString('hex');
  const password = `Audit-${randomBytes(9).toString('hex')}`;
  const config = join(dir, 'slapd.conf');
  writeFileSync(
    config,
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      'include /etc/ldap/schema/nis.schema',
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      'moduleload memberof',
      `pidfile ${join(dir, 'slapd.pid')}`,
      `TLSCACertificateFile ${ca.caFile}`,
      `TLSCertificateFile ${ca.certFile}`,
      `TLSCertificateKeyFile ${ca.keyFile}`,
      // Paged searches may return everything; any one answer holds at most SIZE_LIMIT entries.
      `sizelimit size.soft=${SIZE_LIMIT} size.hard=${SIZE_LIMIT} size.pr=${SIZE_LIMIT} size.prtotal=unlimited`,
      'database mdb',
      `suffix "${SUFFIX}"`,
      `rootdn "${ADMIN_DN}"`,
      `rootpw ${adminPassword}`,
      `directory ${db}`,
      'maxsize 67108864',
      'overlay memberof',
      'memberof-group-oc groupOfNames',
      'memberof-member-ad member',
      'memberof-memberof-ad memberOf',
      'access to attrs=userPassword by self write by anonymous auth by * none',
      'access to * by users read by * none',
      '',
    ].join('\n'),
  );
  const [ldapPort, ldapsPort] = [await freePort(), await freePort()];
  const urls = `ldap://127.0.0.1:${ldapPort}/ ldaps://127.0.0.1:${ldapsPort}/`;
  let output = '';
  // -d 0: stay in the foreground (the test owns the process) and log nothing but errors.
  const child = spawn(SLAPD, ['-d', '0', '-f', config, '-h', urls], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(ldapPort, child, () => output);
    await waitForPort(ldapsPort, child, () => output);
    const ldif = join(dir, 'corp.ldif');
    writeFileSync(ldif, directoryLdif(password));
    await run(
      'ldapmodify',
      ['-a', '-x', '-H', `ldap://127.0.0.1:${ldapPort}`, '-D', ADMIN_DN].concat([
        '-w',
        adminPassword,
        '-f',
        ldif,
      ]),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    ldapsUrl: `ldaps://127.0.0.1:${ldapsPort}`,
    ldapUrl: `ldap://127.0.0.1:${ldapPort}`,
    caFile: ca.caFile,
    bindDn: AUDIT_DN,
    password,
    suffix: SUFFIX,
    stop,
  };
}
