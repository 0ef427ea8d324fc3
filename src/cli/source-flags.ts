/**
 * Where a command's data comes from: `--snapshot FILE` or a live vCenter (`--url`, or the
 * environment). Giving both is a usage error rather than one flag silently winning. The
 * environment (DRPERM_URL, GOVC_URL) is a standing default and does not conflict.
 */
import { InputError } from '../util/errors';

export function refuseSnapshotWithUrl(opts: { snapshot?: string; url?: string }): void {
  if (opts.snapshot !== undefined && opts.url !== undefined) {
    throw new InputError(
      `--snapshot ${opts.snapshot} and --url ${opts.url} exclude each other: read the snapshot file, or collect from the vCenter`,
      { hint: 'drop --url to work offline from the snapshot, or drop --snapshot to collect live' },
    );
  }
}
