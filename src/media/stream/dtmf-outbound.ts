/**
 * Sends queued key presses as RFC 4733 events, one after the other, each
 * packet of an event one interval (20 ms) after the previous on the
 * injected clock. While an event is on the wire the stream sends no audio
 * (§2.5.1.1 / RFC 4733 §6: the tone must not also be heard in the audio,
 * and audio and event packets would interleave confusingly).
 *
 * States: idle → sending (one event) → gap (a pause before the next) → ...
 */
import type { Clock, TimerHandle } from '../../clock/index.js';
import { DtmfSender, type DtmfPacket } from '../dtmf/index.js';

export interface DtmfOutboundHooks {
  /** The RTP timestamp the event starts at (the media clock's current one). */
  beginEvent(): number;
  /** Sends one packet of the event; every packet carries the start timestamp (RFC 4733 §2.5.1.2). */
  sendPacket(packet: DtmfPacket, timestamp: number): void;
  /** The event is over: the media clock must not lag behind `timestamp + durationUnits`. */
  endEvent(timestamp: number, durationUnits: number): void;
}

export interface DtmfOutboundOptions {
  clock: Clock;
  hooks: DtmfOutboundHooks;
  /** Spacing of event packets, ms; default 20. */
  intervalMs?: number;
  /** Pause between two queued presses, ms; default 40 (two packet intervals). */
  gapMs?: number;
  /** Presses queued at most; beyond, sendDtmf() refuses. Default 32. */
  maxQueued?: number;
}

type State = 'idle' | 'sending' | 'gap';

interface Press {
  packets: DtmfPacket[];
}

export class DtmfOutbound {
  private readonly clock: Clock;
  private readonly hooks: DtmfOutboundHooks;
  private readonly sender: DtmfSender;
  private readonly intervalMs: number;
  private readonly gapMs: number;
  private readonly maxQueued: number;
  private readonly queue: Press[] = [];
  private state: State = 'idle';
  private timer: TimerHandle | undefined;
  /** Presses fully sent. */
  sent = 0;

  constructor(opts: DtmfOutboundOptions) {
    this.clock = opts.clock;
    this.hooks = opts.hooks;
    this.intervalMs = opts.intervalMs ?? 20;
    this.gapMs = opts.gapMs ?? 40;
    this.maxQueued = opts.maxQueued ?? 32;
    this.sender = new DtmfSender({ packetIntervalMs: this.intervalMs });
  }

  /** True while an event's packets are being sent (audio is suppressed). */
  get active(): boolean {
    return this.state === 'sending';
  }

  /** Queues a press; false for a digit that is not 0-9 * # A-D, a bad duration, or a full queue. */
  enqueue(digit: string, durationMs: number): boolean {
    if (this.queue.length >= this.maxQueued) return false;
    const packets = this.sender.packets(digit, durationMs);
    if (!packets) return false;
    this.queue.push({ packets });
    if (this.state === 'idle') this.next();
    return true;
  }

  /** Drops queued presses and stops the one in progress (we stopped sending, or closed). */
  cancel(): void {
    this.queue.length = 0;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.state = 'idle';
  }

  private next(): void {
    const press = this.queue.shift();
    if (!press) {
      this.state = 'idle';
      return;
    }
    this.state = 'sending';
    const timestamp = this.hooks.beginEvent();
    const startMs = this.clock.now();
    let i = 0;
    const step = (): void => {
      this.timer = undefined;
      const packet = press.packets[i];
      this.hooks.sendPacket(packet, timestamp);
      i++;
      if (i < press.packets.length) {
        // Drift-free: packet i is due at start + i × interval, whenever this timer actually ran.
        const due = startMs + i * this.intervalMs;
        this.timer = this.clock.setTimeout(step, Math.max(0, due - this.clock.now()));
        return;
      }
      const last = press.packets[press.packets.length - 1];
      this.hooks.endEvent(timestamp, last.payload.readUInt16BE(2));
      this.sent++;
      this.state = 'gap';
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.next();
      }, this.gapMs);
    };
    step();
  }
}
