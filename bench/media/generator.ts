/**
 * The load generator's state: one GenMember per mixer member, one Pacer
 * sending every member's next packet on a drift-free 20 ms schedule (all
 * members of a phase in one batch), and the latency probe. Driven by the
 * control commands (protocol.ts); see load-generator.ts for the process.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeMulawSample } from '../../src/media/codec/index.js';
import { GenMember } from './gen-member.js';
import { Pacer } from './pacer.js';
import type { GeneratorReport, Signal } from './protocol.js';
import { clickPayload, silencePayload, tonePayload } from './signals.js';

/** Sockets bound at once during setup: enough to be quick, few enough not to starve the loop. */
const OPEN_BATCH = 64;

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export class LoadGenerator {
  private members: GenMember[] = [];
  private pacer: Pacer | null = null;
  private payload: Uint8Array = tonePayload();
  private readonly tone = this.payload;
  private readonly silence = silencePayload();
  private readonly click = clickPayload();
  /** Index of the member whose next frame is a click, -1 for none. */
  private clickFrom = -1;
  private clickSentAt: number | null = null;

  /** Binds one connected socket per target; returns their ports in target order. */
  async setup(host: string, targets: readonly number[]): Promise<number[]> {
    await this.teardown();
    const opened: GenMember[] = [];
    try {
      for (let i = 0; i < targets.length; i += OPEN_BATCH) {
        const batch = targets.slice(i, i + OPEN_BATCH);
        opened.push(...(await Promise.all(batch.map((t, k) => GenMember.open(i + k, host, t)))));
      }
    } catch (err) {
      await Promise.all(opened.map((m) => m.close()));
      throw err;
    }
    this.members = opened;
    return opened.map((m) => m.port);
  }

  start(signal: Signal, phases: number): void {
    this.stop();
    this.payload = signal === 'tone' ? this.tone : this.silence;
    this.pacer = new Pacer({ phases, onSubTick: this.onSubTick });
    this.pacer.start();
  }

  stop(): void {
    this.pacer?.stop();
  }

  /** Starts a measured window; returns the generator's CPU time so far, µs. */
  mark(): number {
    this.pacer?.mark();
    return cpuUs();
  }

  report(): GeneratorReport {
    const ms = this.members;
    return {
      sentPerMember: ms[0]?.sent ?? 0,
      received: ms.map((m) => m.audio.received),
      gaps: ms.map((m) => m.audio.gaps),
      reordered: ms.map((m) => m.audio.reordered),
      duplicates: ms.map((m) => m.audio.duplicates),
      rtcp: ms.map((m) => m.rtcp),
      other: ms.reduce((n, m) => n + m.other, 0),
      sendErrors: ms.reduce((n, m) => n + m.sendErrors, 0),
      socketErrors: ms.reduce((n, m) => n + m.socketErrors, 0),
      pacing: this.pacer?.report() ?? { ticks: 0, latenessP99Ms: 0, latenessMaxMs: 0 },
      cpuUs: cpuUs(),
    };
  }

  /**
   * `count` clicks from member `from`, each timed from the moment its packet
   * is handed to the socket until member `to` receives the first packet
   * whose decoded audio reaches `threshold` (null when none does within
   * `timeoutMs`). Needs a running pacer (start) so the click goes out on the
   * regular 20 ms schedule like any frame.
   */
  async clicks(
    from: number,
    to: number,
    count: number,
    intervalMs: number,
    threshold: number,
    timeoutMs: number,
  ): Promise<(number | null)[]> {
    const sender = this.members[from];
    const listener = this.members[to];
    if (!sender || !listener) throw new Error(`no member ${from} or ${to}`);
    if (!this.pacer) throw new Error('clicks need a started generator');
    const results: (number | null)[] = [];
    try {
      for (let c = 0; c < count; c++) {
        results.push(await this.oneClick(from, listener, threshold, timeoutMs));
        await sleep(intervalMs);
      }
    } finally {
      listener.onAudio = null;
      this.clickFrom = -1;
    }
    return results;
  }

  async teardown(): Promise<void> {
    this.stop();
    this.pacer = null;
    const ms = this.members;
    this.members = [];
    await Promise.all(ms.map((m) => m.close()));
  }

  private oneClick(
    from: number,
    listener: GenMember,
    threshold: number,
    timeoutMs: number,
  ): Promise<number | null> {
    this.clickSentAt = null;
    this.clickFrom = from;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        listener.onAudio = null;
        resolve(null);
      }, timeoutMs);
      listener.onAudio = (payload, arrivalMs) => {
        const sentAt = this.clickSentAt;
        if (sentAt === null || !loudest(payload, threshold)) return;
        clearTimeout(timer);
        listener.onAudio = null;
        resolve(arrivalMs - sentAt);
      };
    });
  }

  private readonly onSubTick = (phase: number): void => {
    const ms = this.members;
    const step = this.pacer?.phases ?? 1;
    for (let i = phase; i < ms.length; i += step) {
      if (i === this.clickFrom) {
        this.clickFrom = -1;
        this.clickSentAt = performance.now();
        ms[i].send(this.click);
      } else ms[i].send(this.payload);
    }
  };
}

/** True when some sample of the µ-law payload reaches `threshold` in magnitude. */
function loudest(payload: Uint8Array, threshold: number): boolean {
  for (let i = 0; i < payload.length; i++) {
    if (Math.abs(decodeMulawSample(payload[i])) >= threshold) return true;
  }
  return false;
}
