/**
 * Permission backups: every permission (of every principal) defined on every object a
 * tenant change will touch, read from the server just before the change and written
 * to reports/backups/ before anything is sent. `drperm tenant rollback` restores the
 * tenant account's permissions from one; the other principals' entries let apply report
 * (never revert) a change somebody else made meanwhile, and `drperm tenant restore`
 * puts chosen principals back when an operator decides to (README "Safety").
 *
 * A backup is readable by its owner only (mode 0600, directory 0750) and carries its
 * SHA-256 in a sibling `FILE.sha256` (`sha256sum -c` format): a backup whose hash is
 * missing or does not match is refused. A sibling `FILE.outcome` (JSON) says how the run
 * that took it ended; none means the run never finished (killed, crashed).
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../util/errors';
import { parseJsonWith, readJsonFile } from '../util/json-file';

export const BACKUP_FORMAT = 'drperm-permission-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const DEFAULT_BACKUP_DIR = join('reports', 'backups');

const BackupPermissionSchema = z
  .object({
    principal: z.string().min(1),
    group: z.boolean(),
    roleId: z.number().int(),
    /** The role's name when the backup was taken: role ids differ between servers. */
    roleName: z.string(),
    propagate: z.boolean(),
  })
  .strict();
export type BackupPermission = z.infer<typeof BackupPermissionSchema>;

const BackupEntitySchema = z
  .object({
    ref: z.string().min(1),
    type: z.string().min(1),
    path: z.string(),
    /** Every permission defined on the object itself (not inherited), all principals. */
    permissions: z.array(BackupPermissionSchema),
  })
  .strict();

export const BackupSchema = z
  .object({
    format: z.literal(BACKUP_FORMAT),
    formatVersion: z.literal(BACKUP_FORMAT_VERSION),
    tool: z.object({ name: z.literal('drperm'), version: z.string() }).strict(),
    createdAt: z.iso.datetime(),
    /** What the backup was taken for. */
    operation: z.enum(['apply', 'rollback', 'restore']),
    tenant: z.string().min(1),
    principal: z.string().min(1),
    group: z.boolean(),
    /** The server the backup belongs to: rollback refuses another one. */
    vcenter: z
      .object({
        url: z.string(),
        instanceUuid: z.string(),
        name: z.string(),
        version: z.string(),
        build: z.string(),
      })
      .strict(),
    entities: z.array(BackupEntitySchema),
  })
  .strict();
export type Backup = z.infer<typeof BackupSchema>;

/** `contoso-20260115T103000123Z.json`: sortable, no ':' (valid on every file system). */
export function backupFileName(tenant: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${tenant}-${stamp}.json`;
}

export const BACKUP_FILE_MODE = 0o600;
export const BACKUP_DIR_MODE = 0o750;

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
export const hashFileOf = (file: string) => `${file}.sha256`;
export const outcomeFileOf = (file: string) => `${file}.outcome`;

/** Writes `data` under `file` through a temporary name, with `mode` whatever the umask. */
async function writeNew(file: string, data: string, mode: number): Promise<void> {
  const tmp = `${file}.partial`;
  await writeFile(tmp, data, { flag: 'wx', mode });
  await chmod(tmp, mode);
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * Writes the backup and its hash and returns the backup's path. The hash goes first, then
 * the backup is renamed into place: a crash never leaves a half-written backup, or one
 * without its hash, under the final name. Never overwrites.
 */
export async function writeBackup(dir: string, backup: Backup): Promise<string> {
  BackupSchema.parse(backup);
  await mkdir(dir, { recursive: true, mode: BACKUP_DIR_MODE });
  const file = join(dir, backupFileName(backup.tenant, new Date(backup.createdAt)));
  const text = JSON.stringify(backup, null, 2) + '\n';
  await writeNew(hashFileOf(file), `${sha256(text)}  ${basename(file)}\n`, BACKUP_FILE_MODE);
  await writeNew(file, text, BACKUP_FILE_MODE);
  return file;
}

/** Reads a backup; refuses one whose SHA-256 file is missing or does not match (exit 2). */
export async function readBackup(file: string): Promise<Backup> {
  // A directory, a device, an oversized, empty, binary or non-object file is refused first
  // (with what is wrong with it); then the hash; then the schema.
  const { text, json } = await readJsonFile(file, 'backup');
  let recorded: string;
  try {
    recorded = (await readFile(hashFileOf(file), 'utf8')).trim().split(/\s+/)[0] ?? '';
  } catch {
    throw new InputError(
      `${file} has no ${basename(hashFileOf(file))}: cannot tell whether it was altered; refusing it`,
      {
        hint: `if you have checked its content and trust it: sha256sum ${file} > ${hashFileOf(file)}`,
      },
    );
  }
  // drperm writes backups as UTF-8 without a byte-order mark: the text's bytes are the file's.
  const actual = sha256(Buffer.from(text, 'utf8'));
  if (recorded.toLowerCase() !== actual) {
    throw new InputError(
      `${file} does not match its SHA-256 (${basename(hashFileOf(file))} says ${recorded.slice(0, 16)}…, the file is ${actual.slice(0, 16)}…): it was changed after drperm wrote it; refusing it`,
    );
  }
  return parseJsonWith(BackupSchema, json, file, 'drperm permission backup');
}

/** How the run that took a backup ended. */
export const BackupOutcomeSchema = z
  .object({
    /** completed: every change done and verified; incomplete: failed, interrupted, or never finished. */
    status: z.enum(['completed', 'incomplete']),
    /** When the run ended; absent when a later run found it unfinished (killed, crashed). */
    finishedAt: z.iso.datetime().optional(),
    done: z.number().int().optional(),
    failed: z.number().int().optional(),
    notAttempted: z.number().int().optional(),
    /** Other principals' permissions found changed by someone else (reported, not touched). */
    othersChanged: z.number().int().optional(),
    /** A later run compared the other principals with this backup and reported the differences. */
    checkedAt: z.iso.datetime().optional(),
  })
  .strict();
export type BackupOutcome = z.infer<typeof BackupOutcomeSchema>;

export async function writeBackupOutcome(file: string, outcome: BackupOutcome): Promise<void> {
  const target = outcomeFileOf(file);
  const tmp = `${target}.partial`;
  await writeFile(tmp, JSON.stringify(outcome, null, 2) + '\n', { mode: BACKUP_FILE_MODE });
  await chmod(tmp, BACKUP_FILE_MODE);
  await rename(tmp, target);
}

/** The outcome of the run that took the backup; undefined when it never finished (or unreadable). */
export async function readBackupOutcome(file: string): Promise<BackupOutcome | undefined> {
  try {
    const parsed = BackupOutcomeSchema.safeParse(
      JSON.parse(await readFile(outcomeFileOf(file), 'utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The newest backup file of a tenant in `dir` (by the time stamp in its name); undefined if none. */
export async function newestBackupFile(dir: string, tenant: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const escaped = tenant.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escaped}-(\\d{8}T\\d{9}Z)\\.json$`);
  let best: { name: string; stamp: string } | undefined;
  for (const name of names) {
    const stamp = pattern.exec(name)?.[1];
    if (stamp !== undefined && (best === undefined || stamp > best.stamp)) best = { name, stamp };
  }
  return best === undefined ? undefined : join(dir, best.name);
}

export type UnfinishedBackup =
  | { file: string; backup: Backup; outcome: BackupOutcome | undefined }
  | { file: string; error: Error };

/**
 * The newest backup of a tenant when the run that took it did not complete and no later run
 * has compared it yet; undefined otherwise. A backup that cannot be trusted (hash, format) is
 * returned as an error, for the caller to report.
 */
export async function findUnfinishedBackup(
  dir: string,
  tenant: string,
): Promise<UnfinishedBackup | undefined> {
  const file = await newestBackupFile(dir, tenant);
  if (file === undefined) return undefined;
  const outcome = await readBackupOutcome(file);
  if (outcome?.status === 'completed' || outcome?.checkedAt !== undefined) return undefined;
  try {
    return { file, backup: await readBackup(file), outcome };
  } catch (err) {
    return { file, error: err as Error };
  }
}
