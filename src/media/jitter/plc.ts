/**
 * Packet loss concealment for G.711 frames by frame repetition, a simpler
 * scheme than ITU-T G.711 Appendix I (which repeats pitch periods found by a
 * search, at more cost per stream): a missing frame is replaced by the last
 * good one, attenuated a further `attenuationDb` per
 * consecutive loss, and after `maxConcealedFrames` by silence — repeating a
 * frame longer than ~60 ms turns into an audible buzz.
 */

export interface PacketLossConcealerOptions {
  /** Samples per frame (160 = 20 ms at 8 kHz). */
  frameSamples?: number;
  /** Consecutive frames concealed by repetition before going silent. */
  maxConcealedFrames?: number;
  /** Extra attenuation per repeated frame, dB. */
  attenuationDb?: number;
}

export class PacketLossConcealer {
  private readonly frameSamples: number;
  private readonly maxConcealed: number;
  private readonly stepGain: number;
  private readonly last: Int16Array;
  private haveLast = false;
  private consecutive = 0;

  constructor(opts: PacketLossConcealerOptions = {}) {
    this.frameSamples = opts.frameSamples ?? 160;
    this.maxConcealed = opts.maxConcealedFrames ?? 3;
    this.stepGain = Math.pow(10, -(opts.attenuationDb ?? 6) / 20);
    this.last = new Int16Array(this.frameSamples);
  }

  /** Records a correctly received frame (copied: decoders reuse buffers) and returns it. */
  good(frame: Int16Array): Int16Array {
    const n = Math.min(frame.length, this.frameSamples);
    this.last.set(n === frame.length ? frame : frame.subarray(0, n));
    if (n < this.frameSamples) this.last.fill(0, n);
    this.haveLast = true;
    this.consecutive = 0;
    return frame;
  }

  /**
   * A frame to play in place of a missing one: the last good frame at
   * −attenuationDb × (consecutive losses), then silence. Written into `out`
   * when given (at least frameSamples long).
   * @throws RangeError when `out` is too short (a caller bug).
   */
  conceal(out?: Int16Array): Int16Array {
    if (out && out.length < this.frameSamples) {
      throw new RangeError(`output holds ${out.length} samples, frame has ${this.frameSamples}`);
    }
    const dst = out ? out.subarray(0, this.frameSamples) : new Int16Array(this.frameSamples);
    this.consecutive++;
    if (!this.haveLast || this.consecutive > this.maxConcealed) {
      dst.fill(0);
      return dst;
    }
    const gain = Math.pow(this.stepGain, this.consecutive);
    for (let i = 0; i < this.frameSamples; i++) dst[i] = Math.round(this.last[i] * gain);
    return dst;
  }

  /** Forgets the last frame (stream restarted): the next losses are silence. */
  reset(): void {
    this.haveLast = false;
    this.consecutive = 0;
  }
}
