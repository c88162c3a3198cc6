/**
 * In-process doubles for the mixer's unit tests: ports that say what the
 * test wants and record every frame they are sent (the real ports are the
 * RTP streams of the layer below, exercised by test/media/e2e), and sources
 * with known content.
 */
import type { AudioSource } from '../../../src/media/audio/index.js';
import type { MixerPort, Room, RoomFault } from '../../../src/media/mixer/index.js';

export const N = 160;

/** A port whose peer "says" what `say` writes, and that records what it is sent. */
export class TestPort implements MixerPort {
  readonly sent: Int16Array[] = [];
  readonly readTimes: number[] = [];
  say: (out: Int16Array, frameIndex: number) => boolean;
  private reads = 0;

  constructor(say: (out: Int16Array, frameIndex: number) => boolean) {
    this.say = say;
  }

  readFrame(out: Int16Array, nowMs: number): boolean {
    this.readTimes.push(nowMs);
    return this.say(out, this.reads++);
  }

  writeFrame(frame: Int16Array): void {
    this.sent.push(frame.slice());
  }

  last(): Int16Array {
    const f = this.sent.at(-1);
    if (!f) throw new Error('nothing sent yet');
    return f;
  }

  /** Every sample sent so far, concatenated. */
  all(): Int16Array {
    const out = new Int16Array(this.sent.length * N);
    this.sent.forEach((f, i) => out.set(f, i * N));
    return out;
  }
}

/** A peer saying a constant value (a DC level makes every sum readable). */
export function constPort(value: number): TestPort {
  return new TestPort((out) => {
    out.fill(value);
    return value !== 0;
  });
}

/** A peer saying nothing. */
export function silentPort(): TestPort {
  return new TestPort((out) => {
    out.fill(0);
    return false;
  });
}

/** A source of a constant value, for `frames` frames (default forever). */
export class ConstSource implements AudioSource {
  readonly name: string;
  reads = 0;
  closed = false;
  private left: number;

  constructor(
    readonly value: number,
    frames = Infinity,
    name = `const:${value}`,
  ) {
    this.name = name;
    this.left = frames;
  }

  read(out: Int16Array): boolean {
    this.reads++;
    if (this.closed || this.left <= 0) {
      out.fill(0);
      return false;
    }
    this.left--;
    out.fill(this.value);
    return true;
  }

  close(): void {
    this.closed = true;
  }
}

/** True when every sample of `frame` equals `value`. */
export function allEqual(frame: Int16Array, value: number): boolean {
  return frame.every((s) => s === value);
}

/** Value of a frame that must be constant (asserts it is). */
export function level(frame: Int16Array): number {
  const v = frame[0];
  if (!allEqual(frame, v)) {
    throw new Error(
      `frame is not constant: ${frame[0]}, ${frame[40]}, ${frame[80]}, ${frame[159]}`,
    );
  }
  return v;
}

/** Runs `count` ticks at 20 ms steps from `startMs`. */
export function ticks(room: Room, count: number, startMs = 0): void {
  for (let i = 0; i < count; i++) room.tick(startMs + i * 20);
}

/** Collects the room's faults. */
export function faultsOf(room: Room): RoomFault[] {
  const out: RoomFault[] = [];
  room.on('fault', (f) => out.push(f));
  return out;
}

/** Lets queued events (delivered on a microtask outside a tick) arrive. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
