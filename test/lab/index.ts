/** The simulator lab: our real vSphere peer for tests, the demo and benchmarks. */
export { buildSimulator, INSTALL_COMMAND, LabSetupError } from './build';
export type { LabInfo, LabOptions, LabScale, RunningLab } from './launch';
export { startLab } from './launch';
export { loadScenario, mergeScenario, resolveScenarioFile } from './scenario';
