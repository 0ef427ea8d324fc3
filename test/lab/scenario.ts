/**
 * Loads a lab scenario (YAML or JSON) by name or file and resolves `extends:`. The Go
 * program only ever sees the merged JSON, so inheritance rules live in one place.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { SCENARIO_DIR } from './paths';

export type ScenarioDocument = Record<string, unknown>;

/** `lab` -> test/sim/scenarios/lab.yaml; anything with a '/' or an extension is a file. */
export function resolveScenarioFile(nameOrFile: string): string {
  if (nameOrFile.includes('/') || /\.(ya?ml|json)$/i.test(nameOrFile)) {
    return isAbsolute(nameOrFile) ? nameOrFile : resolve(nameOrFile);
  }
  for (const ext of ['.yaml', '.yml', '.json']) {
    const file = join(SCENARIO_DIR, nameOrFile + ext);
    if (existsSync(file)) return file;
  }
  throw new Error(
    `no lab scenario named "${nameOrFile}" in ${SCENARIO_DIR} (give a name there or a file path)`,
  );
}

export function loadScenario(nameOrFile: string): ScenarioDocument {
  return loadFile(resolveScenarioFile(nameOrFile), []);
}

function loadFile(file: string, chain: string[]): ScenarioDocument {
  if (chain.includes(file)) {
    throw new Error(`scenario extends itself: ${[...chain, file].join(' -> ')}`);
  }
  const doc: unknown = parse(readFileSync(file, 'utf8'));
  if (!isPlainObject(doc)) throw new Error(`scenario ${file}: expected a mapping at the top`);
  const { extends: parent, ...own } = doc;
  if (parent === undefined) return own;
  if (typeof parent !== 'string') throw new Error(`scenario ${file}: extends must be a file name`);
  const base = loadFile(resolve(dirname(file), parent), [...chain, file]);
  return mergeScenario(base, own);
}

/**
 * Child over parent: lists are concatenated (a child adds VMs or permissions), mappings
 * are merged key by key, and other values are replaced.
 */
export function mergeScenario(base: ScenarioDocument, child: ScenarioDocument): ScenarioDocument {
  const out: ScenarioDocument = { ...base };
  for (const [key, value] of Object.entries(child)) {
    const prev = out[key];
    if (Array.isArray(prev) && Array.isArray(value)) out[key] = [...prev, ...value];
    else if (isPlainObject(prev) && isPlainObject(value)) out[key] = mergeScenario(prev, value);
    else out[key] = value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
