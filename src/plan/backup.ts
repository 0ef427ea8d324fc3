/**
 * Permission backups: every permission (of every principal) defined on every object a
 * tenant change will touch, read from the server just before the change and written
 * to reports/backups/ before anything is sent. `drperm tenant rollback` restores the
 * tenant account's permissions from one; the other principals' entries let apply
 * check, and if needed restore, that nobody else's permission changed.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
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
    operation: z.enum(['apply', 'rollback']),
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

/**
 * Writes the backup and returns its path. Written to a temporary name and renamed, so a
 * crash never leaves a half-written backup under the final name; never overwrites.
 */
export async function writeBackup(dir: string, backup: Backup): Promise<string> {
  BackupSchema.parse(backup);
  await mkdir(dir, { recursive: true });
  const file = join(dir, backupFileName(backup.tenant, new Date(backup.createdAt)));
  const tmp = `${file}.partial`;
  await writeFile(tmp, JSON.stringify(backup, null, 2) + '\n', { flag: 'wx' });
  await rename(tmp, file);
  return file;
}

export async function readBackup(file: string): Promise<Backup> {
  const { json } = await readJsonFile(file, 'backup');
  return parseJsonWith(BackupSchema, json, file, 'drperm permission backup');
}
