/** The tenant role on a fresh lab, made by drperm's own command (as an operator would). */
import { labEnv } from '../../helpers/lab-info';
import { runCli } from '../../helpers/run-cli';
import type { RunningLab } from '../../lab/launch';

export async function applyLabRole(lab: RunningLab): Promise<void> {
  const r = await runCli(['role', 'apply', '--yes'], { env: labEnv(lab) });
  if (r.code !== 0) throw new Error(`drperm role apply failed (${r.code}): ${r.stderr}`);
}
