/**
 * Files drperm writes for people (snapshots, reports) are readable by the owner's group
 * only (0640), in directories created 0750: they list every permission of a vCenter.
 * Backups are stricter (0600, plan/backup.ts). Modes are set explicitly, whatever the umask.
 */
import { chmod, mkdir, open, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export const OUTPUT_FILE_MODE = 0o640;
export const OUTPUT_DIR_MODE = 0o750;

/** Creates `dir` and its missing parents with mode 0750 (existing ones are left as they are). */
export async function makeOutputDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: OUTPUT_DIR_MODE });
}

/** Writes `text` to `path` (mode 0640), creating its directory (0750). */
export async function writeOutputFile(path: string, text: string): Promise<void> {
  await makeOutputDir(dirname(path));
  await writeFile(path, text, { encoding: 'utf8', mode: OUTPUT_FILE_MODE });
  await chmod(path, OUTPUT_FILE_MODE);
}

/** As writeOutputFile, for a text that comes in pieces (never held whole). */
export async function writeOutputPieces(path: string, pieces: Iterable<string>): Promise<void> {
  await makeOutputDir(dirname(path));
  const file = await open(path, 'w', OUTPUT_FILE_MODE);
  try {
    for (const piece of pieces) await file.write(piece, null, 'utf8');
  } finally {
    await file.close();
  }
  await chmod(path, OUTPUT_FILE_MODE);
}

/** For files written by a library (the workbook): mode 0640 after the fact. */
export async function restrictOutputFile(path: string): Promise<void> {
  await chmod(path, OUTPUT_FILE_MODE);
}
