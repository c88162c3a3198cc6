/**
 * Produces the packet train for one DTMF key press (RFC 4733 §2.5.1): a
 * first packet with the marker bit, then an update every packet interval
 * with the duration so far, then the final report with the E bit, sent three
 * times in all (§2.5.1.4: the end must survive packet loss). All packets of
 * the event carry the same RTP timestamp, the event's start (§2.5.1.2); the
 * stream owner sends them one packet interval apart.
 */
import { digitToEvent, serializeTelephoneEvent } from './telephone-event.js';

export interface DtmfSenderOptions {
  clockRate?: number;
  /** Spacing of the packets, ms (the audio packet time, 20 ms for G.711 here). */
  packetIntervalMs?: number;
  /** Power level, dBm0 below 0 (RFC 4733 §2.3.4); 10 means -10 dBm0. */
  volume?: number;
}

export interface DtmfPacket {
  /** The 4-octet telephone-event payload. */
  payload: Buffer;
  /** Marker bit: set on the first packet of the event only. */
  marker: boolean;
  /**
   * When to send this packet relative to the first one, in timestamp units
   * (i × packet interval). The RTP timestamp field of every packet is the
   * event's start timestamp; this is the media time that has passed.
   */
  timestampOffset: number;
  endOfEvent: boolean;
}

/** Total sends of the final packet (§2.5.1.4). */
const END_REPEATS = 3;
const DEFAULT_DURATION_MS = 100;

export class DtmfSender {
  private readonly clockRate: number;
  private readonly intervalUnits: number;
  private readonly volume: number;

  constructor(opts: DtmfSenderOptions = {}) {
    this.clockRate = opts.clockRate ?? 8000;
    this.intervalUnits = Math.round(((opts.packetIntervalMs ?? 20) * this.clockRate) / 1000);
    this.volume = Math.max(0, Math.min(63, Math.round(opts.volume ?? 10)));
  }

  /**
   * The packets for one key press of `durationMs` (default 100 ms, rounded
   * up to whole packet intervals, and capped at the 16-bit duration field:
   * 8.19 s at 8 kHz, beyond which RFC 4733 §2.5.1.3 segments would be
   * needed). Null if `digit` is not one of 0-9 * # A-D or the duration is
   * not a positive number.
   */
  packets(digit: string, durationMs: number = DEFAULT_DURATION_MS): DtmfPacket[] | null {
    const event = digitToEvent(digit);
    if (event === null || !(durationMs > 0) || !Number.isFinite(durationMs)) return null;
    const total = Math.min(
      0xffff,
      Math.ceil((durationMs * this.clockRate) / 1000 / this.intervalUnits) * this.intervalUnits,
    );
    const updates = Math.ceil(total / this.intervalUnits);
    const train: DtmfPacket[] = [];
    for (let i = 0; i < updates + END_REPEATS - 1; i++) {
      const end = i >= updates - 1;
      const duration = end ? total : (i + 1) * this.intervalUnits;
      train.push({
        payload: serializeTelephoneEvent({ event, end, volume: this.volume, duration }),
        marker: i === 0,
        timestampOffset: i * this.intervalUnits,
        endOfEvent: end,
      });
    }
    return train;
  }
}
