/**
 * Mouth-to-ear latency through a real Partyline room, before and after an
 * event on the speaker's line (an RFC 4733 key press, or a network stall):
 * a scripted phone in a child process (rtp-script-sender.ts) talks to
 * member A's RtpStream; member B's RtpStream sends the mix to a plain UDP
 * socket here, which finds each 1 kHz burst's onset with Goertzel
 * (toneLevelDb) in the decoded packets. Latency of a burst = its arrival
 * here − the instant the phone spoke it, both on CLOCK_MONOTONIC
 * (process.hrtime), so it covers the phone's network path, A's jitter
 * buffer, the mixer tick and B's send.
 *
 * Used by test/media/e2e (the assertions) and bench/media (the figures).
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { toneLevelDb } from '../../src/media/audio/index.js';
import { PCMU } from '../../src/media/codec/index.js';
import { MixerClock, Room } from '../../src/media/mixer/index.js';
import { parseRtp } from '../../src/media/rtp/index.js';
import type { NegotiatedMedia } from '../../src/media/sdp/index.js';
import { PortPool, RtpStream, type RtpStreamStats } from '../../src/media/stream/index.js';
import type { ScriptOptions } from './rtp-script-sender.js';
import { stopChild } from './stop-child.js';

export type RecoveryEvent = 'key-press' | 'stall';

export interface RecoveryOptions {
  event: RecoveryEvent;
  /** Key press / stall length, ms; default 100 / 150. */
  eventMs?: number;
  /** Jitter buffer target of the streams; default 40 ms (the stream's default). */
  jitterTargetMs?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Port range for the two streams; default a random 200-port range in 20000–39999. */
  portRange?: readonly [number, number];
}

export interface RecoveryResult {
  event: RecoveryEvent;
  event_ms: number;
  jitter_target_ms: number;
  /** Median latency of the bursts spoken in the 2 s before the event (after 1 s of settling). */
  before_median_ms: number;
  /** Median latency of the bursts in the first 2 s after the event. */
  first_2s_median_ms: number;
  /** Median latency of the bursts from 2 s to 4 s after the event: what the line settled at. */
  after_2s_median_ms: number;
  /** after_2s_median_ms − before_median_ms. */
  excess_after_2s_ms: number;
  /**
   * From the event to the first burst from which on the median of every
   * three consecutive bursts is at most 10 ms above before_median_ms; null if never.
   */
  recovered_within_ms: number | null;
  /** Every burst: ms after the event it was spoken (negative before), and its latency. */
  bursts: { at_ms: number; latency_ms: number }[];
  /** Bursts spoken that were never heard. */
  missed: number;
  /** Playout figures of the speaker's stream at the end. */
  lost: number;
  concealed: number;
  quiet_dropped: number;
}

const BURST_PERIOD_MS = 300;
const BURST_MS = 60;
const TONE_HZ = 1000;
/** Settling before the baseline, the baseline, and the time watched after the event, ms. */
const SETTLE_MS = 1000;
const BEFORE_MS = 2000;
const AFTER_MS = 4000;
/** A burst is heard when 1 kHz stands this high in a packet; silence is far below. */
const HEARD_DB = -30;
const WITHIN_MS = 10;

const SENDER = fileURLToPath(new URL('./rtp-script-sender.ts', import.meta.url));

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function media(port: number, host: string): NegotiatedMedia {
  return {
    remoteAddress: host,
    remotePort: port,
    remoteRtcpPort: port,
    codec: PCMU,
    payloadType: 0,
    telephoneEventPt: 101,
    ptime: 20,
    direction: 'sendrecv',
    remoteDirection: 'sendrecv',
  };
}

export async function measureRecovery(o: RecoveryOptions): Promise<RecoveryResult> {
  const host = o.host ?? '127.0.0.1';
  const eventMs = o.eventMs ?? (o.event === 'stall' ? 150 : 100);
  const jitterTargetMs = o.jitterTargetMs ?? 40;
  const base = 20000 + 2 * Math.floor(Math.random() * 9900);
  const [minPort, maxPort] = o.portRange ?? [base, base + 199];
  const pool = new PortPool({ minPort, maxPort, bindAddress: host });
  const mixerClock = new MixerClock();
  const room = new Room({ id: 'latency-recovery', mixerClock });
  const ear = createSocket('udp4');
  await new Promise<void>((resolve) => ear.bind(0, host, () => resolve()));
  const jitter = { targetDelayMs: jitterTargetMs };
  const a = await RtpStream.open({ pool, localAddress: host, jitter });
  const b = await RtpStream.open({ pool, localAddress: host, jitter });

  // Half-way between two bursts, so no burst falls inside the key press or the stall.
  const eventAtMs =
    Math.ceil((SETTLE_MS + BEFORE_MS) / BURST_PERIOD_MS) * BURST_PERIOD_MS + BURST_PERIOD_MS / 2;
  const script: ScriptOptions = {
    host,
    port: a.localPort,
    durationMs: eventAtMs + AFTER_MS + 500,
    burstPeriodMs: BURST_PERIOD_MS,
    burstMs: BURST_MS,
    toneHz: TONE_HZ,
    event: o.event === 'key-press' ? 'key-press' : 'stall',
    eventAtMs,
    keyPressMs: eventMs,
    stallMs: eventMs,
  };

  const heardNs: bigint[] = [];
  let inTone = false;
  ear.on('message', (msg) => {
    const at = process.hrtime.bigint();
    const p = parseRtp(msg);
    if (!p || p.payloadType !== 0) return;
    const tone = toneLevelDb(PCMU.decode(p.payload), 8000, TONE_HZ) > HEARD_DB;
    if (tone && !inTone) heardNs.push(at);
    inTone = tone;
  });

  const spoken: { frame: number; ns: bigint }[] = [];
  let stats: RtpStreamStats | null = null;
  // The phone's SDP would name its port; the stream latches to where it sends from.
  const child = spawn(process.execPath, ['--import', 'tsx', SENDER, JSON.stringify(script)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    b.start(media(ear.address().port, host));
    room.addMember('a', a);
    room.addMember('b', b);
    a.start(media(9, host), { latch: true });
    const lines = createInterface({ input: child.stdout });
    for await (const line of lines) {
      const m = JSON.parse(line) as { onset?: number; mouthNs?: string; done?: boolean };
      if (m.done) break;
      if (m.onset !== undefined && m.mouthNs !== undefined) {
        spoken.push({ frame: m.onset, ns: BigInt(m.mouthNs) });
      }
    }
    // The last bursts through the jitter buffer and the mixer.
    await new Promise((r) => setTimeout(r, 300));
    stats = a.stats();
  } finally {
    await stopChild(child, exited, 1000);
    await room.close();
    mixerClock.close();
    await a.close();
    await b.close();
    await new Promise<void>((resolve) => ear.close(() => resolve()));
  }

  // Each spoken burst is heard as the first onset after it (bursts are 300 ms apart).
  const bursts: { at_ms: number; latency_ms: number }[] = [];
  let missed = 0;
  let h = 0;
  for (const s of spoken) {
    const next = spoken.find((x) => x.ns > s.ns)?.ns ?? s.ns + 10n ** 9n;
    while (h < heardNs.length && heardNs[h] < s.ns) h++;
    if (h < heardNs.length && heardNs[h] < next) {
      bursts.push({
        at_ms: s.frame * 20 - eventAtMs,
        latency_ms: round2(Number(heardNs[h] - s.ns) / 1e6),
      });
      h++;
    } else {
      missed++;
    }
  }
  const within = (lo: number, hi: number): number[] =>
    bursts.filter((x) => x.at_ms >= lo && x.at_ms < hi).map((x) => x.latency_ms);
  const before = median(within(-BEFORE_MS, 0));
  const after2 = median(within(2000, AFTER_MS));
  // Recovered from the first burst on which the median of every three
  // consecutive bursts stays at most 10 ms above the no-event figure (one
  // late tick is not a relapse; less delay than before is no defect).
  const after = bursts.filter((x) => x.at_ms >= 0);
  let recovered: number | null = null;
  for (let i = after.length - 3; i >= 0; i--) {
    const m = median(after.slice(i, i + 3).map((x) => x.latency_ms));
    if (m - before > WITHIN_MS) break;
    recovered = after[i].at_ms;
  }
  return {
    event: o.event,
    event_ms: eventMs,
    jitter_target_ms: jitterTargetMs,
    before_median_ms: round2(before),
    first_2s_median_ms: round2(median(within(0, 2000))),
    after_2s_median_ms: round2(after2),
    excess_after_2s_ms: round2(after2 - before),
    recovered_within_ms: recovered,
    bursts,
    missed,
    lost: stats?.lost ?? 0,
    concealed: stats?.concealed ?? 0,
    quiet_dropped: stats?.quietDropped ?? 0,
  };
}
