/**
 * Wall-clock times at microsecond resolution for the API benchmark:
 * performance.now() plus an offset to Date.now() measured at millisecond
 * edges (so times from different processes, and SIPp's gettimeofday, are on
 * one scale), and Plivo's callback time format read back to milliseconds.
 */

/**
 * Date.now() − performance.now(), read at the moment Date.now() ticks to a
 * new millisecond; the median of five such edges, so one preemption between
 * the two reads does not decide it. About 5 ms of spinning.
 */
export function wallOffset(): number {
  const edges: number[] = [];
  for (let i = 0; i < 5; i++) {
    const first = Date.now();
    let now = first;
    let perf = performance.now();
    while (now === first) {
      perf = performance.now();
      now = Date.now();
    }
    edges.push(now - perf);
  }
  return edges.sort((a, b) => a - b)[2];
}

const PLIVO_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\.(\d{6})\+00:00$/;

/** `2018-11-14 04:41:31.827796+00:00` (src/callbacks/time.ts plivoTime) as ms since the epoch, µs kept; NaN when not one. */
export function msFromPlivoTime(text: string): number {
  const m = PLIVO_TIME.exec(text);
  if (!m) return Number.NaN;
  return Date.parse(`${m[1]}T${m[2]}Z`) + Number(m[3]) / 1000;
}
