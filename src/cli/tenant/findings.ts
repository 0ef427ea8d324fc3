/** Printing verify / drift findings and setting exit code 1 when there are any. */
import type { DriftFinding } from '../../plan/tenant-drift';
import { renderFindings } from '../../plan/tenant-render';
import { ExitCode } from '../../util/errors';
import { printJson, type CommandContext } from '../context';

export function reportFindings(
  ctx: CommandContext,
  perTenant: { tenant: string; findings: DriftFinding[] }[],
  json: boolean,
  okMessage: string,
): void {
  const total = perTenant.reduce((n, t) => n + t.findings.length, 0);
  if (json) printJson(ctx, { differences: total, tenants: perTenant });
  else ctx.out(perTenant.map((t) => renderFindings(t.tenant, t.findings).join('\n')).join('\n\n'));
  if (total > 0) {
    ctx.log.info(`${total} difference(s) found`);
    process.exitCode = ExitCode.Findings;
  } else ctx.log.info(okMessage);
}
