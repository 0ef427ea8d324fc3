/** Printing verify / drift findings; exit 1 when there are any. */
import type { CheckResult } from '../../ops/tenant';
import { renderFindings } from '../../plan/tenant-render';
import { ExitCode } from '../../util/errors';
import { printJson, type CommandContext } from '../context';

export function reportFindings(
  ctx: CommandContext,
  check: CheckResult,
  json: boolean,
  okMessage: string,
): ExitCode {
  if (json) printJson(ctx, { differences: check.differences, tenants: check.tenants });
  // -q (cron): nothing at all when there is nothing to report.
  else if (!(ctx.quiet && check.differences === 0))
    ctx.out(check.tenants.map((t) => renderFindings(t.tenant, t.findings).join('\n')).join('\n\n'));
  if (check.differences === 0) {
    ctx.log.info(okMessage);
    return ExitCode.Ok;
  }
  ctx.log.info(`${check.differences} difference(s) found`);
  return ExitCode.Findings;
}
