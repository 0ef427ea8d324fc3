/**
 * What a running simulator lab tells its clients. The lab launcher (src/lab) prints it
 * as a JSON line when ready; the jest global set-up exposes the shared lab's info to
 * test workers in the DRPERM_TEST_LAB environment variable.
 */
export interface LabInfo {
  /** e.g. https://127.0.0.1:40123/sdk */
  url: string;
  username: string;
  password: string;
  /** Certificate thumbprints, colon-separated upper-case hex (govc style). */
  thumbprintSha256: string;
  thumbprintSha1: string;
  /** PEM file of the lab's self-signed certificate, usable with --ca-file. */
  certFile: string;
}

/** Environment that points the CLI at a lab, pinning its certificate by thumbprint. */
export function labEnv(lab: LabInfo): NodeJS.ProcessEnv {
  return {
    DRPERM_URL: lab.url,
    DRPERM_USERNAME: lab.username,
    DRPERM_PASSWORD: lab.password,
    DRPERM_THUMBPRINT: lab.thumbprintSha256,
  };
}
