// The whole public surface of the call-setup-rate benchmark (bench/cps).
export { measureCps, measureSippCeiling, DEFAULT_RATES, formatStep } from './measure.js';
export { nodeSipTarget, sipgoTarget, sippUasTarget, buildGoPeer, REPO_ROOT } from './peers.js';
export { runPeers, formatTable } from './run-peers.js';
export type { CpsTarget, CpsOptions, CpsResult, CpsStep } from './types.js';
