/**
 * Added latency through the mixer: a small room whose members all send
 * silence; one of them sends a click (a full-scale burst at the start of one
 * frame) and the generator times it from the moment that packet leaves its
 * socket to the arrival of the first packet at another member whose
 * decoded audio carries it. Both ends are timed by the generator on one
 * clock, so the figure covers loopback UDP both ways, our receive path, the
 * jitter buffer's target delay, waiting for the next tick, the mix and the
 * send.
 *
 * The delay depends on the phase between the generator's 20 ms schedule and
 * the mixer's (a packet waits up to one tick for its turn), which is fixed
 * within a session: each round therefore opens fresh streams, a fresh room
 * and a new generator schedule, so the rounds sample different phases.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { PortPool } from '../../src/media/stream/index.js';
import { BenchConference } from './conference.js';
import type { GeneratorControl } from './control.js';
import { percentile, round } from './stats.js';
import type { LatencyResult } from './types.js';

export interface LatencySettings {
  pool: PortPool;
  host: string;
  jitterTargetMs: number;
  roomMembers: number;
  rounds: number;
  clicksPerRound: number;
}

/** Time for jitter buffers to start playing before the first click. */
const SETTLE_MS = 500;
const CLICK_INTERVAL_MS = 300;
/** The click decodes near full scale; silence and µ-law noise stay far below this. */
const THRESHOLD = 16000;
const TIMEOUT_MS = 1000;

export async function measureMixerLatency(
  gen: GeneratorControl,
  s: LatencySettings,
): Promise<LatencyResult> {
  const samples: number[] = [];
  let missed = 0;
  for (let round = 0; round < s.rounds; round++) {
    const conf = await BenchConference.open(s.roomMembers, {
      pool: s.pool,
      host: s.host,
      roomSize: s.roomMembers,
      jitterTargetMs: s.jitterTargetMs,
      statsWindow: 100,
    });
    try {
      conf.start(await gen.setup(s.host, conf.ports()));
      // A random offset, so each round's generator schedule has its own phase against the mixer's.
      await sleep(Math.random() * 20);
      await gen.start('silence', 1);
      await sleep(SETTLE_MS);
      const got = await gen.clicks({
        from: 0,
        to: 1,
        count: s.clicksPerRound,
        intervalMs: CLICK_INTERVAL_MS,
        threshold: THRESHOLD,
        timeoutMs: TIMEOUT_MS,
      });
      for (const v of got) {
        if (v === null) missed++;
        else samples.push(v);
      }
      await gen.teardown();
    } finally {
      await conf.close();
    }
  }
  return {
    room_members: s.roomMembers,
    jitter_target_ms: s.jitterTargetMs,
    samples_ms: samples.map((v) => round(v, 2)),
    missed,
    median_ms: round(percentile(samples, 50), 2),
    p95_ms: round(percentile(samples, 95), 2),
    min_ms: samples.length > 0 ? round(Math.min(...samples), 2) : Number.NaN,
    max_ms: samples.length > 0 ? round(Math.max(...samples), 2) : Number.NaN,
  };
}
