/**
 * The mixer tick lateness of one measured window of the server.
 *
 * The server publishes it as engine.stats().mixer.latenessMs (and
 * partyline_mixer_tick_lateness_ms on /metrics): percentiles over its last
 * 3000 ticks, one minute — which, in a step of a few seconds, also holds
 * the ticks of setting the calls up. The benchmark wants the steady state
 * only, as bench/media measures it (there the stats window is sized to the
 * measured window). So it reads, without changing anything, the samples
 * the MixerClock keeps for those percentiles — its private `lateness`
 * SampleWindow (a ring of Float64 values, `next` the slot written next) —
 * and takes the ticks that ran between mark() and read(). When the server's
 * internals no longer look like that, it falls back to the published
 * last-minute figures and says so (`source`).
 */
import type { Engine } from '../../src/engine/index.js';
import { percentile, round } from '../media/stats.js';

interface RingLike {
  ring: Float64Array;
  next: number;
}

export interface MixerWindow {
  /** 'window': exactly the window's ticks; 'last-minute': the published summary (includes set-up). */
  source: 'window' | 'last-minute';
  ticks: number;
  skipped_ticks: number;
  faults: number;
  lateness_p50_ms: number;
  lateness_p99_ms: number;
  lateness_max_ms: number;
  tick_cpu_p50_us: number;
  tick_cpu_p99_us: number;
  /** What /metrics says at the end of the window (last 3000 ticks). */
  published_lateness_p99_ms: number;
}

function ringOf(engine: Engine, field: 'lateness' | 'cpu'): RingLike | undefined {
  const clock = (engine as unknown as { mixerClock?: Record<string, unknown> }).mixerClock;
  const w = clock?.[field] as Partial<RingLike> | undefined;
  if (!w || !(w.ring instanceof Float64Array) || typeof w.next !== 'number') return undefined;
  return w as RingLike;
}

/** The last `count` values written to a ring. */
function lastValues(w: RingLike, count: number): Float64Array {
  const n = Math.min(count, w.ring.length);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = w.ring[(w.next - n + i + w.ring.length * 2) % w.ring.length];
  }
  return out;
}

export interface MixerMark {
  ticks: number;
  skipped: number;
  faults: number;
}

export function markMixer(engine: Engine): MixerMark {
  const m = engine.stats().mixer;
  return { ticks: m.ticks, skipped: m.skippedTicks, faults: m.faults };
}

export function readMixer(engine: Engine, mark: MixerMark): MixerWindow {
  const m = engine.stats().mixer;
  const ticks = m.ticks - mark.ticks;
  const lateness = ringOf(engine, 'lateness');
  const cpu = ringOf(engine, 'cpu');
  const exact = lateness !== undefined && cpu !== undefined && ticks <= lateness.ring.length;
  const base = {
    ticks,
    skipped_ticks: m.skippedTicks - mark.skipped,
    faults: m.faults - mark.faults,
    published_lateness_p99_ms: round(m.latenessMs.p99, 3),
  };
  if (!exact) {
    return {
      source: 'last-minute',
      ...base,
      lateness_p50_ms: round(m.latenessMs.p50, 3),
      lateness_p99_ms: round(m.latenessMs.p99, 3),
      lateness_max_ms: round(m.latenessMs.max, 3),
      tick_cpu_p50_us: round(m.tickCpuUs.p50, 1),
      tick_cpu_p99_us: round(m.tickCpuUs.p99, 1),
    };
  }
  const late = lastValues(lateness, ticks);
  const cost = lastValues(cpu, ticks);
  return {
    source: 'window',
    ...base,
    lateness_p50_ms: round(percentile(late, 50), 3),
    lateness_p99_ms: round(percentile(late, 99), 3),
    lateness_max_ms: round(late.length ? Math.max(...late) : Number.NaN, 3),
    tick_cpu_p50_us: round(percentile(cost, 50), 1),
    tick_cpu_p99_us: round(percentile(cost, 99), 1),
  };
}
