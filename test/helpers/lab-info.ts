/**
 * What a running simulator lab tells its clients (test/lab/launch.ts LabInfo): the lab prints
 * it as a JSON line when ready, and the jest global set-up exposes the shared lab's info to
 * test workers in the DRPERM_TEST_LAB environment variable.
 */
import type { LabInfo } from '../lab/launch';

export type { LabInfo };

/** Environment that points the CLI at a lab, pinning its certificate by thumbprint. */
export function labEnv(lab: LabInfo): NodeJS.ProcessEnv {
  return {
    DRPERM_URL: lab.url,
    DRPERM_USERNAME: lab.username,
    DRPERM_PASSWORD: lab.password,
    DRPERM_THUMBPRINT: lab.thumbprintSha256,
  };
}
