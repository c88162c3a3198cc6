// The whole public surface of the call-setup-rate benchmark (bench/cps).
export {
  measureCps,
  measureLadder,
  measureSippCeiling,
  ladderRates,
  formatStep,
} from './measure.js';
export {
  partylineTarget,
  buildPartyline,
  nodeSipTarget,
  sipgoTarget,
  sippUasTarget,
  buildGoPeer,
  REPO_ROOT,
} from './peers.js';
export { runPeers, formatTable, cpsByName, PEER_NAMES } from './run-peers.js';
export { cpsRatio, cpsSummary, formatCpsMax, formatRatio, isLowerBound } from './ratio.js';
export type { CpsTarget, CpsOptions, CpsResult, CpsStep } from './types.js';
