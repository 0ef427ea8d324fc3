import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReports } from '../../../src/report';
import { writeOutputFile } from '../../../src/util/output-files';
import { makeReport } from '../report/report-fixture';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'drperm-output-test-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

describe('output files', () => {
  it('are written 0640 in directories created 0750, whatever the umask', async () => {
    const old = process.umask(0o000);
    try {
      const file = join(root, 'snapshots', 'deep', 'vc.json');
      await writeOutputFile(file, '{}\n');
      expect(mode(file)).toBe(0o640);
      expect(mode(join(root, 'snapshots'))).toBe(0o750);
      expect(mode(join(root, 'snapshots', 'deep'))).toBe(0o750);
    } finally {
      process.umask(old);
    }
  });

  it('every audit report format is written 0640', async () => {
    const files = await writeReports(makeReport(), {
      outDir: join(root, 'reports'),
      formats: ['xlsx', 'json', 'md'],
    });
    expect(files.map((f) => mode(f.path))).toEqual([0o640, 0o640, 0o640]);
    expect(mode(join(root, 'reports'))).toBe(0o750);
  });
});
