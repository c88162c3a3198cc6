/**
 * Turns a stream of RFC 4733 telephone-event packets into key presses, one
 * `digit` event per press.
 *
 * An event is identified by its RTP timestamp (RFC 4733 §2.5.1.2: every
 * report of one event carries its start time), so:
 * - the final report, sent three times (§2.5.1.4), ends the press once: its
 *   timestamp is remembered and later reports with it are ignored;
 * - a report with a new timestamp is a new press, even for the same digit
 *   ("11"), and it ends a press whose final reports were all lost;
 * - a press whose reports stop altogether ends after `endTimeoutMs` of
 *   silence (§2.5.2: the receiver cannot wait forever for a lost end);
 * - a long event split into segments (§2.5.1.3: new timestamp, no marker,
 *   the previous segment having reached the 16-bit duration limit) stays one
 *   press, its durations added up.
 *
 * States: idle ⇄ active (one press in progress).
 */
import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock/index.js';
import { eventToDigit, parseTelephoneEvent, type TelephoneEvent } from './telephone-event.js';

export interface DtmfDigit {
  digit: string;
  /** Event code 0–15. */
  event: number;
  durationMs: number;
  /** RTP timestamp of the press (of its first segment). */
  timestamp: number;
  /** What ended it: the E bit, the next press, a timeout, or flush(). */
  endedBy: 'end' | 'next-event' | 'timeout' | 'flush';
}

export interface DtmfReceiverOptions {
  clock: Clock;
  clockRate?: number;
  /** Silence after the last report of a press before it is taken as ended. */
  endTimeoutMs?: number;
  logger?: Logger;
}

interface ActivePress {
  event: number;
  /** Timestamp of the first segment (the press). */
  timestamp: number;
  /** Timestamp of the segment in progress. */
  segmentTimestamp: number;
  /** Duration of the completed segments, timestamp units. */
  priorDuration: number;
  /** Longest duration seen in the current segment. */
  duration: number;
}

/** How many ended event timestamps are remembered for de-duplication. */
const ENDED_MEMORY = 16;
const DEFAULT_END_TIMEOUT_MS = 300;

export class DtmfReceiver extends EventEmitter<{ digit: [DtmfDigit] }> {
  private readonly clock: Clock;
  private readonly clockRate: number;
  private readonly endTimeoutMs: number;
  private readonly logger: Logger;
  private active: ActivePress | null = null;
  private readonly ended: number[] = [];
  private lastEnded: number | null = null;
  private timer: TimerHandle | undefined;

  constructor(opts: DtmfReceiverOptions) {
    super();
    this.clock = opts.clock;
    this.clockRate = opts.clockRate ?? 8000;
    this.endTimeoutMs = opts.endTimeoutMs ?? DEFAULT_END_TIMEOUT_MS;
    this.logger = opts.logger ?? pino({ level: 'silent' });
  }

  /**
   * Feeds one telephone-event packet of this stream. Payloads that are not a
   * DTMF event report are ignored (logged at debug).
   */
  feed(seq: number, timestamp: number, marker: boolean, payload: Uint8Array): void {
    const ev = parseTelephoneEvent(payload);
    if (!ev) {
      this.logger.debug({ seq, bytes: payload.length }, 'dtmf: not a DTMF event report, ignored');
      return;
    }
    const ts = timestamp >>> 0;
    if (this.ended.includes(ts)) return; // a repeated final report, or a straggler of a finished press
    const active = this.active;
    if (active) {
      if (ts === active.segmentTimestamp) {
        this.update(active, ev);
        return;
      }
      if (((ts - active.segmentTimestamp) | 0) < 0) return; // older than the press in progress
      if (this.continuesSegment(active, ev, ts, marker)) {
        active.priorDuration += Math.max(active.duration, (ts - active.segmentTimestamp) >>> 0);
        active.segmentTimestamp = ts;
        active.duration = 0;
        this.update(active, ev);
        return;
      }
      this.finish('next-event');
    } else if (this.lastEnded !== null && ((ts - this.lastEnded) | 0) < 0) {
      return; // reordered report of a press already over
    }
    this.active = {
      event: ev.event,
      timestamp: ts,
      segmentTimestamp: ts,
      priorDuration: 0,
      duration: 0,
    };
    this.logger.debug({ seq, ts, event: ev.event, marker }, 'dtmf: press started');
    this.update(this.active, ev);
  }

  /** Ends a press in progress now (stream stopping) and disarms the timer. */
  flush(): void {
    if (this.active) this.finish('flush');
    this.disarm();
  }

  private continuesSegment(
    active: ActivePress,
    ev: TelephoneEvent,
    ts: number,
    marker: boolean,
  ): boolean {
    // §2.5.1.3: a new segment has no marker, the same event, and follows a
    // segment that ran up to (nearly, if its last reports were lost) 0xFFFF.
    const gap = (ts - active.segmentTimestamp) >>> 0;
    return (
      !marker &&
      ev.event === active.event &&
      gap <= 0x10000 &&
      active.duration >= 0xffff - this.clockRate &&
      gap >= active.duration
    );
  }

  private update(active: ActivePress, ev: TelephoneEvent): void {
    if (ev.duration > active.duration) active.duration = ev.duration;
    if (ev.end) {
      this.finish('end');
    } else {
      this.arm();
    }
  }

  private finish(endedBy: DtmfDigit['endedBy']): void {
    const active = this.active;
    if (!active) return;
    this.active = null;
    this.disarm();
    this.remember(active.segmentTimestamp);
    if (active.segmentTimestamp !== active.timestamp) this.remember(active.timestamp);
    this.lastEnded = active.segmentTimestamp;
    const digit: DtmfDigit = {
      digit: eventToDigit(active.event) ?? '?',
      event: active.event,
      durationMs: ((active.priorDuration + active.duration) * 1000) / this.clockRate,
      timestamp: active.timestamp,
      endedBy,
    };
    this.logger.debug(digit, 'dtmf: digit');
    this.emit('digit', digit);
  }

  private remember(ts: number): void {
    this.ended.push(ts);
    if (this.ended.length > ENDED_MEMORY) this.ended.shift();
  }

  private arm(): void {
    this.disarm();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.finish('timeout');
    }, this.endTimeoutMs);
  }

  private disarm(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
