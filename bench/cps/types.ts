/**
 * The shapes the call-setup-rate (CPS) benchmark takes and returns. Field
 * names in results are snake_case because they are written to the bench
 * report as they are.
 */

/**
 * An answering SIP user agent to measure. It is started fresh for every rate
 * step as a child process that must listen for SIP over UDP on
 * 127.0.0.1:<port> and answer INVITE with 200 OK, absorb the ACK and answer BYE
 * with 200 OK.
 */
export interface CpsTarget {
  name: string;
  /**
   * argv of the process. Placeholders are replaced on every start:
   * `{port}` by the SIP port it must listen on (if no argument contains it,
   * `--port <port>` is appended); `{rtpPort}` by a free UDP port p whose p+2
   * is free too (SIPp binds both for media); `{freePort}` by another free UDP
   * port, a different one per occurrence.
   */
  command: string[];
  env?: Record<string, string>;
  /** Working directory of the process; the repository root when omitted. */
  cwd?: string;
  /**
   * How the harness knows the target is listening: `stdout` (default) waits
   * for a line `READY <port>` on its stdout; `udp-bound` waits until the UDP
   * port shows as bound in /proc/net/udp (for programs that print nothing
   * useful, such as SIPp).
   */
  ready?: 'stdout' | 'udp-bound';
  /** How long a start may take before it counts as failed; default 20 000 ms. */
  readyTimeoutMs?: number;
}

export interface CpsOptions {
  /** Asked call rates, ascending; default DEFAULT_RATES. */
  rates?: number[];
  /** Length of the load in each step; default 5 s. */
  secondsPerStep?: number;
  /** A step passes only when its 99th-percentile setup time is below this; default 50 ms. */
  maxP99Ms?: number;
  /** A step passes only when the achieved rate is at least this share of the asked rate; default 0.9. */
  minAchievedRatio?: number;
  /** After the first failing step, try once halfway between it and the last passing one; default true. */
  bisect?: boolean;
  /** How often a failing step is repeated on a fresh target before it counts as failed; default 1. */
  retries?: number;
  /** Calls placed at 1000/s on every fresh target before the measured load (lets a JIT warm up); default 3000, 0 = none. */
  warmupCalls?: number;
  /** Progress lines (one per step); silent when omitted. */
  log?: (line: string) => void;
}

export interface CpsStep {
  /** Asked rate, calls per second. */
  rate: number;
  /** Calls SIPp created. */
  attempted: number;
  /** Calls that completed INVITE/200/ACK/BYE/200. */
  successful: number;
  failed: number;
  /** 99th percentile of INVITE-sent to 200-received over the successful calls (NaN when none). */
  p99_ms: number;
  /** Successful calls divided by the run's wall time. */
  achieved_cps: number;
  passed: boolean;
  /** Why the step failed; absent when it passed. */
  reason?: string;
}

export interface CpsResult {
  name: string;
  /** The highest asked rate whose step passed; 0 when none did. */
  cps_max: number;
  /** p99 setup time at that step; NaN when no step passed. */
  p99_ms_at_max: number;
  /** Every attempt in the order run (a retried rate appears more than once). */
  steps: CpsStep[];
}
