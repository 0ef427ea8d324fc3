/** Flags and JSON of the commands that change permissions (apply, rollback). */
import { DEFAULT_CONCURRENCY } from '../../plan/apply';
import type { AppliedTenant } from '../../ops/tenant';
import { InputError } from '../../util/errors';

export function appliedJson(a: AppliedTenant) {
  return {
    tenant: a.tenant,
    backupFile: a.backupFile,
    done: a.report.done,
    failed: a.report.failed,
    notAttempted: a.report.notAttempted,
    othersChanged: a.report.othersChanged,
    interrupted: a.report.interrupted,
    outcomes: a.report.outcomes.map((o) => ({
      action: o.change.action,
      object: o.change.entity.path,
      status: o.status,
      ...(o.error ? { error: o.error } : {}),
      ...(o.restored ? { restored: o.restored } : {}),
    })),
  };
}

export function parseConcurrency(value: string | undefined): number {
  const n = Number(value ?? DEFAULT_CONCURRENCY);
  if (!Number.isInteger(n) || n < 1 || n > 32) {
    throw new InputError(`--concurrency ${value}: expected a whole number from 1 to 32`);
  }
  return n;
}
