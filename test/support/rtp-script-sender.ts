/**
 * A phone's RTP, scripted, in a process of its own: PCMU on a drift-free
 * 20 ms schedule (RFC 3550 §5.1: sequence +1 and timestamp +160 a packet,
 * random initial values), a 1 kHz burst at the start of every
 * `burstPeriodMs` and digital silence between, and at `eventAtMs` one of
 *
 * - `key-press`: an RFC 4733 key press in place of audio, one event packet
 *   per 20 ms (marker on the first, the end report three times, §2.5.1.4),
 *   each taking a sequence number from the audio's space while the media
 *   clock runs on;
 * - `stall`: the network holds every packet for `stallMs`, then delivers
 *   them all at once (the sampling instants stay where they were);
 * - `none`.
 *
 * Usage: `node --import tsx rtp-script-sender.ts '<json ScriptOptions>'`.
 * For every burst it prints a JSON line `{"onset": <frame>, "mouthNs":
 * "<process.hrtime.bigint() when the burst was spoken>"}` — CLOCK_MONOTONIC,
 * the same in every process of the machine, so a receiver elsewhere can take
 * the difference — and `{"done": true}` at the end, then exits.
 */
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { encodeMulaw } from '../../src/media/codec/index.js';
import { DtmfSender, type DtmfPacket } from '../../src/media/dtmf/index.js';
import { serializeRtp } from '../../src/media/rtp/index.js';

export interface ScriptOptions {
  host: string;
  port: number;
  /** Length of the script, ms. */
  durationMs: number;
  burstPeriodMs: number;
  burstMs: number;
  toneHz: number;
  event: 'none' | 'key-press' | 'stall';
  eventAtMs: number;
  /** Key press length (`key-press`), ms. */
  keyPressMs: number;
  /** How long the network holds the packets (`stall`), ms. */
  stallMs: number;
}

const FRAME = 160;
const FRAME_MS = 20;
const AUDIO_PT = 0;
const EVENT_PT = 101;
const AMPLITUDE = 8000;

function run(o: ScriptOptions): void {
  const socket = createSocket('udp4');
  const ssrc = randomInt(0, 2 ** 32);
  let seq = randomInt(0, 0x10000);
  let ts = randomInt(0, 2 ** 32);
  const frames = Math.floor(o.durationMs / FRAME_MS);
  const eventFrame = Math.floor(o.eventAtMs / FRAME_MS);
  const stallFrames = Math.round(o.stallMs / FRAME_MS);
  const press: DtmfPacket[] = new DtmfSender().packets('5', o.keyPressMs) ?? [];
  let eventTs = 0;
  const held: Buffer[] = [];
  const pcm = new Int16Array(FRAME);
  let phase = 0;
  const step = (2 * Math.PI * o.toneHz) / 8000;

  const packet = (pt: number, timestamp: number, payload: Uint8Array, marker: boolean): Buffer => {
    const p = serializeRtp({
      payloadType: pt,
      sequenceNumber: seq,
      timestamp: timestamp >>> 0,
      ssrc,
      marker,
      payload,
    });
    seq = (seq + 1) & 0xffff;
    return p;
  };

  const audioFrame = (i: number): Buffer => {
    const inBurst = (i * FRAME_MS) % o.burstPeriodMs < o.burstMs;
    for (let n = 0; n < FRAME; n++) {
      pcm[n] = inBurst ? Math.round(AMPLITUDE * Math.sin(phase)) : 0;
      phase = inBurst ? phase + step : 0;
    }
    return packet(AUDIO_PT, ts, encodeMulaw(pcm), i === 0);
  };

  const frameAt = (i: number): void => {
    const mouthNs = process.hrtime.bigint();
    if ((i * FRAME_MS) % o.burstPeriodMs === 0) {
      process.stdout.write(`${JSON.stringify({ onset: i, mouthNs: mouthNs.toString() })}\n`);
    }
    let out: Buffer;
    const k = i - eventFrame;
    if (o.event === 'key-press' && k >= 0 && k < press.length) {
      // Every report of the event carries its start timestamp (RFC 4733 §2.5.1.2).
      if (k === 0) eventTs = ts;
      out = packet(EVENT_PT, eventTs, press[k].payload, press[k].marker);
    } else {
      out = audioFrame(i);
    }
    ts = (ts + FRAME) >>> 0;
    if (o.event === 'stall' && k >= 0 && k < stallFrames) {
      held.push(out);
      return;
    }
    for (const h of held.splice(0)) socket.send(h, o.port, o.host);
    socket.send(out, o.port, o.host);
  };

  const start = performance.now();
  let next = 0;
  const tick = (): void => {
    const due = Math.min(frames, Math.floor((performance.now() - start) / FRAME_MS) + 1);
    while (next < due) frameAt(next++);
    if (next >= frames) {
      process.stdout.write('{"done":true}\n');
      socket.close(() => process.exit(0));
      return;
    }
    setTimeout(tick, Math.max(0, start + next * FRAME_MS - performance.now()));
  };
  tick();
}

const arg = process.argv[2];
if (arg === undefined) {
  console.error("usage: rtp-script-sender.ts '<json options>'");
  process.exit(2);
}
run(JSON.parse(arg) as ScriptOptions);
