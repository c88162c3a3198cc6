/**
 * The ratio of two targets' call-setup capacities, and how far it can be
 * trusted. A cps_max is a true maximum only when the target failed a step
 * and the target (not SIPp, the generator) was what gave out: a target
 * that never failed (the ladder's cap came first) or that failed only
 * because SIPp had a whole core has a cps_max that is a lower bound.
 */
import type { CpsResult } from './types.js';

/**
 * `exact`: both are maxima. `lower_bound`: ours is a lower bound and theirs
 * a maximum, so the true ratio is at least this. `upper_bound`: the other
 * way round. `unknown`: both are lower bounds.
 */
export type RatioKind = 'exact' | 'lower_bound' | 'upper_bound' | 'unknown';

export interface CpsRatio {
  ratio: number;
  kind: RatioKind;
}

/** Whether `r.cps_max` is only a lower bound (capped, or ended by the generator's CPU). */
export function isLowerBound(r: CpsResult): boolean {
  return r.capped || (r.limited_by ?? []).includes('generator');
}

/** ours.cps_max / theirs.cps_max, two decimals (0 when theirs is 0), with its kind. */
export function cpsRatio(ours: CpsResult, theirs: CpsResult): CpsRatio {
  const ratio = theirs.cps_max > 0 ? Math.round((ours.cps_max / theirs.cps_max) * 100) / 100 : 0;
  const oursBound = isLowerBound(ours);
  const theirsBound = isLowerBound(theirs);
  const kind: RatioKind =
    oursBound && theirsBound
      ? 'unknown'
      : oursBound
        ? 'lower_bound'
        : theirsBound
          ? 'upper_bound'
          : 'exact';
  return { ratio, kind };
}

/** "1.25", ">= 1.25", "<= 1.25" or "? 1.25" for tables. */
export function formatRatio(r: CpsRatio): string {
  const prefix = { exact: '', lower_bound: '>= ', upper_bound: '<= ', unknown: '? ' }[r.kind];
  return `${prefix}${r.ratio}`;
}

/** cps_max for tables: ">= N" when it is a lower bound. */
export function formatCpsMax(r: CpsResult): string {
  return isLowerBound(r) ? `>=${r.cps_max}` : String(r.cps_max);
}

/**
 * The CPS figures of bench/results/sip.json from one ladder's results:
 * Partyline's cps_max and p99, and its ratio to each peer measured, each
 * with its kind (`cps_ratio_vs_sipgo_kind`: exact, lower_bound, …).
 */
export function cpsSummary(
  results: readonly CpsResult[],
): Record<string, number | string | boolean> {
  const byName = new Map(results.map((r) => [r.name, r]));
  const ours = byName.get('partyline');
  if (ours === undefined) return {};
  const out: Record<string, number | string | boolean> = {
    cps_max: ours.cps_max,
    cps_max_is_lower_bound: isLowerBound(ours),
    cps_p99_ms_at_max: ours.p99_ms_at_max,
  };
  const peers: [string, string][] = [
    ['node-sip', 'peer'],
    ['sipgo', 'sipgo'],
    ['sipp-uas', 'sipp'],
  ];
  for (const [name, key] of peers) {
    const theirs = byName.get(name);
    if (theirs === undefined) continue;
    const r = cpsRatio(ours, theirs);
    out[`cps_ratio_vs_${key}`] = r.ratio;
    out[`cps_ratio_vs_${key}_kind`] = r.kind;
  }
  return out;
}
