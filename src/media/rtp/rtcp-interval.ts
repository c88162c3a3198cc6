/**
 * RTCP transmission interval (RFC 3550 §6.2, §6.3.1), simplified for the
 * two-party streams we run: a fixed 5 s base (the recommended minimum) —
 * the bandwidth-share computation only matters in large sessions — randomised
 * to 0.5–1.5× so that reports from many streams started together do not stay
 * synchronised. The first report after joining uses half the base (§6.2).
 * The socket owner schedules the timer; this only computes the delay.
 */

export const RTCP_BASE_INTERVAL_MS = 5000;

export interface RtcpIntervalOptions {
  baseMs?: number;
  /** True for the first report of a session (§6.2: half the minimum interval). */
  initial?: boolean;
}

/** Milliseconds until the next report; `rng` returns uniform values in [0, 1). */
export function rtcpIntervalMs(
  rng: () => number = Math.random,
  opts: RtcpIntervalOptions = {},
): number {
  const base = (opts.baseMs ?? RTCP_BASE_INTERVAL_MS) * (opts.initial ? 0.5 : 1);
  const r = Math.min(Math.max(rng(), 0), 1);
  return base * (0.5 + r);
}
