/**
 * Hostile input files, one of each kind that used to crash or hang drperm: an alias bomb,
 * deep nesting, a parent cycle, huge files (sparse, so they cost no disk), empty and binary
 * files, control characters in principals and names, an unreadable file, a directory, a
 * device. Each entry says which kinds of input it can stand in for.
 */
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  ftruncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SnapshotBuilder, ROLE } from '../../unit/audit/snapshot-builder';
import { snapshotText } from '../../../src/model/snapshot-file';

export type InputKind = 'yaml' | 'json';

export interface HostileFile {
  name: string;
  path: string;
  /** The kinds of input this file is given as. */
  kinds: InputKind[];
  /** What the one error line must say (besides the file's path). */
  expect: RegExp;
}

function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return lines.join('\n') + '\n';
}

/** A valid snapshot whose names carry control characters (for output escaping). */
export function snapshotWithControlNames() {
  const b = new SnapshotBuilder();
  const dc = b.datacenter('DC0');
  const folder = b.folder(dc.vmFolder, 'evil\x1b]0;pwned\x07');
  const { rootPool } = b.cluster(dc, 'C0');
  const vm = b.vm(folder, rootPool, 'vm-\nADD /DC0\r\x1b[31m');
  b.permit(vm, 'VSPHERE.LOCAL\\asr-contoso', ROLE.ReadOnly);
  b.permit(folder, 'VSPHERE.LOCAL\\asr\x1b[2Jcontoso', ROLE.ReadOnly);
  return b.build();
}

function cycleSnapshot(): string {
  const b = new SnapshotBuilder();
  const dc = b.datacenter('DC0');
  const folder = b.folder(dc.vmFolder, 'contoso');
  const s = b.build();
  s.entities.find((e) => e.ref === dc.dc.ref)!.parent = folder.ref;
  return snapshotText(s);
}

function sparse(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
}

export function buildCorpus(): { dir: string; files: HostileFile[] } {
  const dir = mkdtempSync(join(tmpdir(), 'drperm-hostile-'));
  // Readable by the unprivileged user the test runs drperm as (see hostile-inputs.test.ts).
  chmodSync(dir, 0o755);
  const at = (name: string) => join(dir, name);
  const files: HostileFile[] = [];
  const add = (name: string, kinds: InputKind[], expect: RegExp, write?: (p: string) => void) => {
    const path = at(name);
    write?.(path);
    files.push({ name, path, kinds, expect });
  };
  add('alias-bomb.yaml', ['yaml'], /YAML aliases expand too far/, (p) =>
    writeFileSync(p, aliasBomb()),
  );
  add('deep.yaml', ['yaml'], /nested too deeply/, (p) =>
    writeFileSync(p, `tenant: x\nobjects: ${'['.repeat(20000)}${']'.repeat(20000)}\n`),
  );
  add('huge.yaml', ['yaml'], /is 51 MiB; drperm reads .* of at most 4 MiB|at most 32 MiB/, (p) =>
    sparse(p, 51 * 1024 * 1024),
  );
  add('huge.json', ['json'], /is 300 MiB; drperm reads .* of at most (256|64) MiB/, (p) =>
    sparse(p, 300 * 1024 * 1024),
  );
  add('empty.yaml', ['yaml'], /is empty$/, (p) => writeFileSync(p, ''));
  add('empty.json', ['json'], /is empty$/, (p) => writeFileSync(p, '\n'));
  add(
    'binary.dat',
    ['yaml', 'json'],
    /is not a text file \(binary data: a NUL byte at offset 4\)/,
    (p) => writeFileSync(p, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0x1b, 0x5b, 0x32, 0x4a, 0x07])),
  );
  add('null.json', ['json'], /its JSON is null, not an object/, (p) => writeFileSync(p, 'null'));
  add(
    'cycle.json',
    ['json'],
    /the parents form a cycle|is not a drperm|not a valid|not an NSX snapshot|cannot tell whether it was altered/,
    (p) => writeFileSync(p, cycleSnapshot()),
  );
  add(
    'control-principal.yaml',
    ['yaml'],
    /holds a control character \(\\x1b|unknown field|Invalid|expected/,
    (p) =>
      writeFileSync(
        p,
        stringify({
          tenant: 'contoso',
          mode: 'failback',
          account: { principal: 'VSPHERE.LOCAL\\asr\x1b[2J\x07contoso' },
          objects: { datacenters: ['/DC0'], vms: { folders: ['/DC0/vm/contoso'] } },
        }),
      ),
  );
  add('unreadable.yaml', ['yaml', 'json'], /permission denied/, (p) => {
    writeFileSync(p, 'tenant: x\n');
    chmodSync(p, 0o000);
  });
  // As --tenant a directory is a list of tenant files; this one has none.
  add(
    'a-directory',
    ['yaml', 'json'],
    /is a directory, not a file|no tenant files|no snapshot files/,
    (p) => mkdirSync(p),
  );
  files.push({
    name: '/dev/zero',
    path: '/dev/zero',
    kinds: ['yaml', 'json'],
    expect: /is not a regular file/,
  });
  add('missing.yaml', ['yaml', 'json'], /no such file or directory/);
  return { dir, files };
}
