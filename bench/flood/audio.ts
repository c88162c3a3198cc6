/**
 * What the live calls' phones heard around a flood, from their own
 * received RTP (test/support/phones: SIPp does their SIP, an RtpTestPeer in
 * this process their audio):
 *
 * - loss: 20 ms packets received in a window against the window's length
 *   (each phone's partner sends one every 20 ms, and the server's mixer
 *   passes each on at its 20 ms tick);
 * - the partner's tone: the share of 100 ms slices of the window in which
 *   it is heard (Goertzel level above HEARD_DB);
 * - mouth to ear: the speaker's RtpTestPeer switches its tone to a probe
 *   frequency while it keeps sending (no restart of its 20 ms schedule, no
 *   gap in its timestamps); the time from the probe's first packet leaving
 *   the speaker's socket to the first 20 ms of the listener's received audio
 *   that carries it. The send time is caught by watching the speaker's sent
 *   counter, so the figure covers loopback UDP both ways and the server's
 *   receive path, jitter buffer, mixer tick and send — and the listener's own
 *   event loop, which a loaded machine delays too.
 *
 * Times here are the phones' clock (performance.now() of this process);
 * toEpoch() turns them into wall-clock ms for comparing with the server's
 * samples and the flooder's START/STOP.
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { HEARD_DB, levelDb, type SipPhone } from '../../test/support/phones/index.js';
import { percentile } from '../cps/percentile.js';

const PACKET_MS = 20;
const SAMPLES_PER_PACKET = 160;
const SLICE_MS = 100;
/** A probe not heard within this long counts as missed. */
const PROBE_TIMEOUT_MS = 1000;
const EAR_POLL_MS = 5;

export function toEpoch(phoneMs: number): number {
  return performance.timeOrigin + phoneMs;
}

export function fromEpoch(epochMs: number): number {
  return epochMs - performance.timeOrigin;
}

export interface HeardWindow {
  /** Share of the window's 20 ms packets that did not arrive, %, over every listening phone. */
  loss_pct: number;
  /** Share of 100 ms slices in which the partner's tone was heard, %, over every listening phone. */
  tone_heard_pct: number;
  /** The phone that heard least, %. */
  tone_heard_worst_pct: number;
}

/** What each `listener` heard of its partner's `hz` in [fromMs, toMs) (phone clock). */
export function heardWindow(
  listeners: readonly { phone: SipPhone; partnerHz: number }[],
  fromMs: number,
  toMs: number,
): HeardWindow {
  let expected = 0;
  let received = 0;
  let slices = 0;
  let heard = 0;
  let worst = 100;
  for (const { phone, partnerHz } of listeners) {
    const audio = phone.audio({ sinceMs: fromMs, windowMs: toMs - fromMs });
    expected += Math.floor((toMs - fromMs) / PACKET_MS);
    received += audio.length / SAMPLES_PER_PACKET;
    let mine = 0;
    let mySlices = 0;
    for (let t = fromMs; t + SLICE_MS <= toMs; t += SLICE_MS) {
      mySlices++;
      if (phone.levelDb(partnerHz, { sinceMs: t, windowMs: SLICE_MS }) >= HEARD_DB) mine++;
    }
    slices += mySlices;
    heard += mine;
    if (mySlices > 0) worst = Math.min(worst, (100 * mine) / mySlices);
  }
  const round1 = (v: number): number => Math.round(v * 10) / 10;
  return {
    loss_pct: expected > 0 ? round1((100 * Math.max(0, expected - received)) / expected) : 0,
    tone_heard_pct: slices > 0 ? round1((100 * heard) / slices) : 0,
    tone_heard_worst_pct: round1(worst),
  };
}

export interface MouthToEar {
  probes: number;
  missed: number;
  median_ms: number;
  p90_ms: number;
  max_ms: number;
}

/**
 * One probe: `speaker` switches from `toneHz` to `probeHz` and back once the
 * `listener` heard it; resolves with the mouth-to-ear time (ms), or null
 * when the listener did not hear it within PROBE_TIMEOUT_MS.
 */
export async function probeOnce(
  speaker: SipPhone,
  listener: SipPhone,
  toneHz: number,
  probeHz: number,
): Promise<number | null> {
  const peer = speaker.peer;
  // Wait for a packet to leave, so the switch lands between two sends (a
  // busy wait of at most 20 ms: a timer would be too coarse for the send time)...
  const before = peer.stats().sent;
  while (peer.stats().sent === before) await yieldToLoop();
  peer.startTone(probeHz);
  // ...and take the send time of the next one: the probe's first packet.
  const armed = peer.stats().sent;
  while (peer.stats().sent === armed) await yieldToLoop();
  const mouth = peer.now();
  try {
    const deadline = mouth + PROBE_TIMEOUT_MS;
    for (let from = mouth; ;) {
      const now = listener.now();
      // Each 1 ms slice holds at most a packet or two: the first one carrying the probe is the ear.
      for (; from + 1 <= now; from += 1) {
        const audio = listener.audio({ sinceMs: from, windowMs: 1 });
        if (audio.length === 0) continue;
        if (levelDb(audio, probeHz) >= HEARD_DB && levelDb(audio, probeHz) > levelDb(audio, toneHz))
          return from - mouth;
      }
      if (now > deadline) return null;
      // Arrival times are the listener's own stamps: polling slower loses no precision.
      await sleep(EAR_POLL_MS);
    }
  } finally {
    peer.startTone(toneHz);
  }
}

/** Probes `pairs` round robin while `keepGoing()`, a pause of `gapMs` between probes. */
export async function probeWhile(
  pairs: readonly { speaker: SipPhone; listener: SipPhone; toneHz: number; probeHz: number }[],
  keepGoing: () => boolean,
  gapMs = 250,
): Promise<MouthToEar> {
  const times: number[] = [];
  let missed = 0;
  for (let i = 0; pairs.length > 0 && keepGoing(); i++) {
    const p = pairs[i % pairs.length];
    const t = await probeOnce(p.speaker, p.listener, p.toneHz, p.probeHz);
    if (t === null) missed++;
    else times.push(t);
    await sleep(gapMs);
  }
  return summariseProbes(times, missed);
}

export function summariseProbes(times: readonly number[], missed: number): MouthToEar {
  const round1 = (v: number): number => Math.round(v * 10) / 10;
  return {
    probes: times.length + missed,
    missed,
    median_ms: round1(percentile(times, 50)),
    p90_ms: round1(percentile(times, 90)),
    max_ms: round1(times.length ? Math.max(...times) : Number.NaN),
  };
}
