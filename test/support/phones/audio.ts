/**
 * What counts as hearing a tone, for the phones and for the tests that talk
 * to them: Goertzel levels (src/media/audio) of decoded G.711, and waiting
 * on a condition without a timed assertion (a deadline only turns "never"
 * into a failure with the last levels in its message).
 */
import { LEVEL_FLOOR_DB, toneLevelDb } from '../../../src/media/audio/index.js';

export const SAMPLE_RATE = 8000;
/** A tone counts as heard above this (an RtpTestPeer tone at −12 dBFS reads about −15 through G.711). */
export const HEARD_DB = -30;
/** A tone (or, with no frequency, all audio) counts as gone below this. */
export const SILENT_DB = -50;
/** Window the wait helpers measure, ms: 10 periods of the lowest tone we use, and then some. */
export const LISTEN_WINDOW_MS = 200;
const POLL_MS = 40;

/** Level (dBFS) of `freqHz` in `audio`; LEVEL_FLOOR_DB when there is no audio. */
export function levelDb(audio: Int16Array, freqHz: number): number {
  return audio.length === 0 ? LEVEL_FLOOR_DB : toneLevelDb(audio, SAMPLE_RATE, freqHz);
}

/** RMS level (dBFS, full scale = a full-scale sine) of `audio`; LEVEL_FLOOR_DB when empty or silent. */
export function rmsDb(audio: Int16Array): number {
  if (audio.length === 0) return LEVEL_FLOOR_DB;
  let sum = 0;
  for (const s of audio) sum += s * s;
  const power = sum / audio.length;
  if (power <= 0) return LEVEL_FLOOR_DB;
  return Math.max(LEVEL_FLOOR_DB, 10 * Math.log10(power / ((32768 * 32768) / 2)));
}

/** Whether `audio` is silent: at `freqHz` if given, else in total. */
export function isSilent(audio: Int16Array, freqHz?: number): boolean {
  return (freqHz === undefined ? rmsDb(audio) : levelDb(audio, freqHz)) < SILENT_DB;
}

/**
 * Polls `probe` until it returns a value other than undefined; rejects after
 * `timeoutMs` with `describe()` (what was measured last) in the message.
 */
export async function waitFor<T>(
  probe: () => T | undefined,
  timeoutMs: number,
  describe: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`${describe()} (after ${timeoutMs} ms)`);
    await sleep(POLL_MS);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function formatDb(db: number): string {
  return db <= LEVEL_FLOOR_DB ? 'nothing' : `${db.toFixed(1)} dB`;
}
