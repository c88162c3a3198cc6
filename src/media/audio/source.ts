/**
 * What the mixer pulls from. Every 20 ms tick it asks each playing source for
 * exactly one frame: 160 samples of 8 kHz mono signed 16-bit PCM, the native
 * rate of G.711 (RFC 3551 §4.5.14) so no conversion happens on the hot path.
 */
export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
export const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000;

export interface AudioSource {
  readonly name: string;
  /**
   * Fills `out` (160 samples) and returns false when the source has ended
   * (a non-looping source finished). A frame that still carries some of the
   * source's last samples returns true (its tail is zero-filled); every read
   * after that fills silence and returns false.
   */
  read(out: Int16Array): boolean;
  close?(): void;
}
