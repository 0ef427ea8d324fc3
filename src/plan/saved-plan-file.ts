/** Reading and writing saved plan files (src/plan/saved-plan.ts), validated both ways. */
import { writeFile } from 'node:fs/promises';
import { InputError } from '../util/errors';
import { parseJsonWith, readJsonFile } from '../util/json-file';
import { MiB } from '../util/text-file';
import {
  SAVED_PLAN_FORMAT,
  SAVED_PLAN_FORMAT_VERSION,
  SavedPlanSchema,
  savedPlanText,
  type SavedPlan,
} from './saved-plan';

export async function writeSavedPlan(path: string, plan: SavedPlan): Promise<void> {
  await writeFile(path, savedPlanText(SavedPlanSchema.parse(plan)), {
    encoding: 'utf8',
    mode: 0o640,
  });
}

export async function readSavedPlan(path: string): Promise<SavedPlan> {
  const { json } = await readJsonFile(path, 'plan file', 64 * MiB);
  const header = json as { format?: unknown; formatVersion?: unknown };
  if (header.format !== SAVED_PLAN_FORMAT) {
    throw new InputError(`${path} is not a drperm plan (format is not "${SAVED_PLAN_FORMAT}")`, {
      hint: 'save one with `drperm tenant plan --tenant DIR/ --out plan.json`',
      location: { file: path },
    });
  }
  if (header.formatVersion !== SAVED_PLAN_FORMAT_VERSION) {
    throw new InputError(
      `${path} has plan format version ${String(header.formatVersion)}; this drperm reads version ${SAVED_PLAN_FORMAT_VERSION}`,
      { location: { file: path } },
    );
  }
  return parseJsonWith(SavedPlanSchema, json, path, 'plan file');
}
