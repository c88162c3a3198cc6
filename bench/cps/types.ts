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
  /**
   * Asked call rates, ascending. Default: a geometric ladder from
   * `startRate`, × `factor` per step, at most `maxSteps` rates.
   */
  rates?: number[];
  /** First rate of the default ladder; default 2000 calls/s. */
  startRate?: number;
  /** Growth of the default ladder per step; default 1.5. */
  factor?: number;
  /** Rates in the default ladder at most; default 12 (2000 … 173 000 calls/s). */
  maxSteps?: number;
  /**
   * Wall-time budget of the whole ladder, seconds (every target together);
   * default 180. No new rate starts once it is spent: the targets still
   * passing then have a lower bound, not a maximum (`capped`).
   */
  budgetSeconds?: number;
  /** Length of the measured load in each step; default 3 s. */
  secondsPerStep?: number;
  /** A step passes only when its 99th-percentile setup time is below this; default 50 ms. */
  maxP99Ms?: number;
  /** A step passes only when the achieved rate is at least this share of the asked rate; default 0.9. */
  minAchievedRatio?: number;
  /** After the first failing step, try once halfway between it and the last passing one; default true. */
  bisect?: boolean;
  /** How often a failing step is repeated on a fresh target before it counts as failed; default 1. */
  retries?: number;
  /** Calls placed at 2000/s on every fresh target before the measured load (lets a JIT warm up); default 3000, 0 = none. */
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
  /** CPU of the load generator (SIPp's UAC) during the load, % of one core (it is one thread). */
  generator_cpu_pct: number;
  /** CPU of the target during the load, % of one core (a multi-threaded target can pass 100). */
  target_cpu_pct: number;
  /** Busy share of all the machine's cores during the load (every process), %. */
  machine_cpu_pct: number;
  /**
   * CPU of every other process during the load, % of one core: a failure
   * while others took much is the shared machine's, not the target's.
   */
  others_cpu_pct: number;
  /**
   * What ran out of CPU (at or above 90 %): `generator` — SIPp could not
   * place calls faster, so a failure here says nothing about the target;
   * `target`; `machine` — every core busy. Empty: nothing saturated (the
   * step failed on latency or loss).
   */
  saturated: ('generator' | 'target' | 'machine')[];
}

export interface CpsResult {
  name: string;
  /** The highest asked rate whose step passed; 0 when none did. */
  cps_max: number;
  /** p99 setup time at that step; NaN when no step passed. */
  p99_ms_at_max: number;
  /**
   * True when the target never failed: the ladder's top rate, its step cap
   * or its time budget came first, so cps_max is only a lower bound.
   */
  capped: boolean;
  /**
   * What saturated in the failing step that ended this target's ladder
   * (see CpsStep.saturated); absent when capped. `generator` here means
   * SIPp, not the target, was the limit: cps_max is then a lower bound too.
   */
  limited_by?: ('generator' | 'target' | 'machine')[];
  /** Every attempt in the order run (a retried rate appears more than once). */
  steps: CpsStep[];
}
