/**
 * Fault injection (issue "Safe on a real vCenter", acceptance): tenant applies through a
 * proxy that drops connections before and after forwarding, answers HTTP 500 faults and
 * 503, delays past the timeout, loses sessions, and lets another administrator change a
 * permission mid-apply; on both lab semantics. After every faulty apply:
 *
 * - no permission of another principal was changed by drperm (only the third party's own
 *   change differs from before the run);
 * - a rerun converges (a fresh plan has nothing left to do);
 * - rollback with the run's first backup restores exactly that backup;
 * - the third party's change survives and drperm reported it.
 *
 * DRPERM_FAULT_RUNS sets the faulty applies per semantics (default 25: 50 runs over both
 * semantics, about two minutes on two cores; at most 500); DRPERM_FAULT_SEED repeats a sequence.
 * The interruptions (signals, the lab killed, two runs at once) are in interruptions.test.ts.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../helpers/fault-proxy';
import {
  adminRevert,
  diffStates,
  permissionState,
  scratchDir,
  stateKey,
  startFaultLab,
  type FaultLab,
  type Semantics,
} from './harness';
import { apply, CONTOSO, isCleanFailure, pending, rollback, tenantPolicies } from './drive';
import { scenarios, type ThirdPartyChange } from './scenarios';
import { applyLabRole } from './role';

const RUNS = Math.min(500, Math.max(1, Number(process.env.DRPERM_FAULT_RUNS ?? 25) || 25));
const SEED = Number(process.env.DRPERM_FAULT_SEED ?? 20261201);
/** Per call; the delays go past it. */
const TIMEOUT_MS = 2500;
/** The longest a faulty apply may take before it counts as hanging. */
const BOUND_MS = 60_000;

interface Figures {
  semantics: Semantics;
  runs: number;
  problems: string[];
  faults: Record<string, number>;
  faultyApplyFailed: number;
  thirdPartyChanges: number;
  thirdPartyReported: number;
  othersChangedByDrperm: number;
  rollbacks: number;
  ms: number;
}

const accountKey = (key: string) =>
  key.endsWith(`\tu:${CONTOSO.toLowerCase()}`) || key.endsWith('\tu:vsphere.local\\asr-fabrikam');

describe.each<Semantics>(['vcenter', 'vcsim'])('fault injection on the %s lab', (semantics) => {
  let fl: FaultLab;
  const figures: Figures = {
    semantics,
    runs: 0,
    problems: [],
    faults: {},
    faultyApplyFailed: 0,
    thirdPartyChanges: 0,
    thirdPartyReported: 0,
    othersChangedByDrperm: 0,
    rollbacks: 0,
    ms: 0,
  };

  beforeAll(async () => {
    fl = await startFaultLab(semantics, SEED);
    await applyLabRole(fl.lab);
  }, 120_000);

  afterAll(async () => {
    console.log(`fault suite figures: ${JSON.stringify(figures)}`);
    await fl?.stop();
  });

  it(
    `${RUNS} faulty applies: nobody else's permission changed, reruns converge, rollback restores the backup, third-party changes survive and are reported`,
    async () => {
      const started = Date.now();
      const random = seededRandom(SEED + (semantics === 'vcsim' ? 1 : 0));
      const pick = (n: number) => Math.floor(random() * n);
      const catalogue = scenarios(TIMEOUT_MS);
      const contoso = await tenantPolicies('contoso');
      for (let run = 0; run < RUNS; run++) {
        const scenario = catalogue[run % catalogue.length]!;
        const label = `run ${run + 1} (${scenario.name})`;
        const problem = (text: string) => figures.problems.push(`${label}: ${text}`);
        const dir = scratchDir();
        const before = await permissionState(fl);

        fl.proxy.clear();
        const third = scenario.install(fl.proxy, fl, pick, dir);
        const faulty = await apply(fl, contoso, dir, TIMEOUT_MS);
        await fl.proxy.settled();
        fl.proxy.clear();
        if (!isCleanFailure(faulty.error)) problem(`crashed: ${faulty.error?.stack}`);
        if (faulty.ms > BOUND_MS) problem(`took ${faulty.ms} ms`);
        if (faulty.error) figures.faultyApplyFailed++;
        const thirdMade =
          third !== undefined && fl.proxy.events.some((e) => e.fault === 'third-party change');
        for (const [kind, n] of Object.entries(fl.proxy.faultCounts())) {
          figures.faults[kind] = (figures.faults[kind] ?? 0) + n;
        }
        fl.proxy.events.length = 0;

        const rerun = await apply(fl, contoso, dir, 30_000);
        if (rerun.error && !isCleanFailure(rerun.error))
          problem(`rerun crashed: ${rerun.error.stack}`);
        if (rerun.error && (rerun.error as { exitCode?: number }).exitCode !== 1) {
          problem(`rerun failed: ${rerun.error.message}`);
        }
        const left = await pending(fl, contoso);
        if (left !== 0) problem(`did not converge: ${left} change(s) left after the rerun`);

        const expected = thirdMade ? [third!] : [];
        const after = await permissionState(fl);
        checkOthers(before, after, expected, problem, figures);
        if (thirdMade) {
          figures.thirdPartyChanges++;
          const key = stateKey(third!.entity.ref, third!.who);
          const reported = [...faulty.reported, ...rerun.reported].some(
            (c) => stateKey(c.ref, c) === key,
          );
          if (reported) figures.thirdPartyReported++;
          else problem(`third-party change on ${third!.entity.path} was not reported`);
        }

        const backups = readdirSync(dir)
          .filter((f) => /^contoso-\d{8}T\d{9}Z\.json$/.test(f))
          .sort();
        if (backups.length === 0) problem('no backup was written');
        else {
          const restored = await rollback(fl, join(dir, backups[0]!), dir, 30_000);
          figures.rollbacks++;
          if (restored.error) problem(`rollback failed: ${restored.error.message}`);
          const rolledBack = await permissionState(fl);
          const diff = diffStates(before, rolledBack);
          const allowed = new Set(expected.map((t) => stateKey(t.entity.ref, t.who)));
          const wrong = diff.filter((d) => !allowed.has(d.key));
          if (wrong.length > 0) {
            problem(`rollback did not restore the backup exactly: ${JSON.stringify(wrong)}`);
          }
        }
        if (expected.length > 0) {
          for (const t of expected) await adminRevert(fl, t.entity, t.who, before);
          const reset = diffStates(before, await permissionState(fl));
          if (reset.length > 0) {
            problem(`the lab could not be reset: ${JSON.stringify(reset)}`);
            break;
          }
        }
        rmSync(dir, { recursive: true, force: true });
        figures.runs++;
      }
      figures.ms = Date.now() - started;
      expect(figures.problems).toEqual([]);
      expect(figures.runs).toBe(RUNS);
      expect(figures.othersChangedByDrperm).toBe(0);
      expect(figures.thirdPartyReported).toBe(figures.thirdPartyChanges);
      expect(figures.thirdPartyChanges).toBeGreaterThan(0);
    },
    RUNS * 15_000 + 60_000,
  );
});

/** Every difference in another principal's permission must be the third party's own. */
function checkOthers(
  before: Map<string, string>,
  after: Map<string, string>,
  expected: ThirdPartyChange[],
  problem: (text: string) => void,
  figures: Figures,
): void {
  const diff = diffStates(before, after, accountKey);
  const allowed = new Map(expected.map((t) => [stateKey(t.entity.ref, t.who), t]));
  for (const d of diff) {
    const t = allowed.get(d.key);
    const want = t?.perm === undefined ? undefined : `${t.perm.roleId}/${t.perm.propagate}`;
    if (t === undefined || d.after !== want) {
      figures.othersChangedByDrperm++;
      problem(`another principal's permission changed: ${JSON.stringify(d)}`);
    }
  }
  for (const [key, t] of allowed) {
    if (!diff.some((d) => d.key === key)) {
      problem(`the third-party change on ${t.entity.path} did not survive`);
    }
  }
}
