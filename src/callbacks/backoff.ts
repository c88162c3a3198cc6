/** How long to wait before trying a delivery again. */
export interface BackoffPolicy {
  /** Wait after the first failure; doubled after each further one. */
  baseDelayMs: number;
  /** The doubling stops here. */
  maxDelayMs: number;
  /** 0..1: each wait is shortened by up to this fraction, at random, so receivers that come back are not hit by every call at once. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseDelayMs: 1000,
  maxDelayMs: 5 * 60_000,
  jitter: 0.25,
};

/**
 * The wait before the next attempt after `failures` failed ones (1, 2, 3 ...):
 * min(max, base · 2^(failures-1)) · (1 − jitter · random), in whole ms.
 * With the defaults: ~1 s, 2 s, 4 s, 8 s ... up to 5 min.
 */
export function retryDelay(failures: number, policy: BackoffPolicy, random: () => number): number {
  const doublings = Math.min(Math.max(0, Math.floor(failures) - 1), 52);
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** doublings);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  const r = Math.min(1, Math.max(0, random()));
  return Math.max(0, Math.round(full * (1 - jitter * r)));
}
