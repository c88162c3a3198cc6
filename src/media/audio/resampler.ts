import { kaiserBeta, kaiserLength, besselI0, windowedSinc } from './kaiser.js';

/**
 * Sample-rate conversion by band-limited interpolation (J. O. Smith, "Digital
 * Audio Resampling", CCRMA): every output sample is the input convolved with
 * a Kaiser-windowed sinc centred on the output's exact position in input
 * time. Arbitrary ratios work (44 100 → 8 000 is 441/80), and the low-pass
 * sits below the lower rate's Nyquist so that, when downsampling, content
 * above it is removed instead of folding back as aliases.
 *
 * The input is treated as one period of a periodic signal (see process()).
 *
 * The ratio is kept as an exact fraction num/den (input samples per output
 * sample), so positions never drift however long the file. Each output
 * position falls on one of `den` phases; when that bank is small (every
 * common rate: 48 k has 1 phase, 44.1 k has 80) the weights of each phase are
 * computed once, otherwise they are interpolated per output from a finely
 * sampled kernel table.
 */

export interface ResamplerDesign {
  /** Upper edge of the pass band, as a fraction of the lower rate. Default 0.425 (3.4 kHz at 8 kHz). */
  passband?: number;
  /** Start of the stop band, as a fraction of the lower rate. Default 0.5 (4 kHz at 8 kHz: nothing aliases). */
  stopband?: number;
  /** Stop-band attenuation in dB. Default 80. */
  attenuationDb?: number;
}

/** Kernel table points per input sample; linear interpolation between them is accurate to about −100 dB. */
const TABLE_OVERSAMPLE = 512;
/** Largest precomputed phase bank, in weights (8 MB of Float32). */
const MAX_BANK_WEIGHTS = 1 << 21;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export class Resampler {
  readonly inRate: number;
  readonly outRate: number;
  /** Taps on each side of the output position, in input samples. */
  readonly halfLength: number;
  /** Input samples per output sample is num/den exactly. */
  private readonly num: number;
  private readonly den: number;
  private readonly table: Float64Array;
  private readonly bank: (Float32Array | undefined)[] | undefined;
  private readonly scratch: Float32Array;

  constructor(inRate: number, outRate: number, design: ResamplerDesign = {}) {
    if (!Number.isInteger(inRate) || !Number.isInteger(outRate) || inRate <= 0 || outRate <= 0) {
      throw new RangeError(`sample rates must be positive integers (got ${inRate} → ${outRate})`);
    }
    this.inRate = inRate;
    this.outRate = outRate;
    const g = gcd(inRate, outRate);
    this.num = inRate / g;
    this.den = outRate / g;

    const lower = Math.min(inRate, outRate);
    const pass = (design.passband ?? 0.425) * lower;
    const stop = (design.stopband ?? 0.5) * lower;
    const attenuation = design.attenuationDb ?? 80;
    // All filter quantities are in input samples: the kernel is applied at input spacing.
    const cutoff = (pass + stop) / 2 / inRate;
    const taps = kaiserLength(attenuation, (stop - pass) / inRate);
    this.halfLength = Math.max(1, Math.ceil(taps / 2));
    const beta = kaiserBeta(attenuation);
    const i0Beta = besselI0(beta);

    const size = this.halfLength * TABLE_OVERSAMPLE + 2;
    this.table = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      this.table[i] = windowedSinc(i / TABLE_OVERSAMPLE, cutoff, this.halfLength, beta, i0Beta);
    }
    const width = 2 * this.halfLength;
    this.scratch = new Float32Array(width);
    this.bank = this.den * width <= MAX_BANK_WEIGHTS ? new Array(this.den) : undefined;
  }

  /** Number of output samples covering the same duration as `inputLength` input samples. */
  outputLength(inputLength: number): number {
    return Math.ceil((inputLength * this.den) / this.num);
  }

  /** Weight for input sample n = i0 + half − j, for the output at phase r/den past i0. */
  private weights(r: number): Float32Array {
    const cached = this.bank?.[r];
    if (cached) return cached;
    const width = 2 * this.halfLength;
    const row = this.bank ? new Float32Array(width) : this.scratch;
    const f = r / this.den;
    let sum = 0;
    for (let j = 0; j < width; j++) {
      // Distance from the output position to input sample i0 + half − j.
      const u = Math.abs(f + j - this.halfLength) * TABLE_OVERSAMPLE;
      const idx = Math.floor(u);
      const a = this.table[idx];
      const w = a + (u - idx) * (this.table[idx + 1] - a);
      row[j] = w;
      sum += w;
    }
    // Make each phase exactly unity gain at DC so phases do not modulate the level.
    if (sum !== 0) for (let j = 0; j < width; j++) row[j] /= sum;
    if (this.bank) this.bank[r] = row;
    return row;
  }

  /**
   * Computes output samples [from, to) of the whole conversion of `input`
   * into `output` (rounded, saturated to 16 bits). Output samples are
   * independent, so a long conversion can be done in slices.
   */
  process(input: Float32Array, output: Int16Array, from: number, to: number): void {
    const half = this.halfLength;
    const width = 2 * half;
    const len = input.length;
    for (let k = from; k < to; k++) {
      const pos = k * this.num;
      const i0 = Math.floor(pos / this.den);
      const row = this.weights(pos - i0 * this.den);
      const base = i0 + half;
      let acc = 0;
      if (base - width + 1 >= 0 && base < len) {
        for (let j = 0; j < width; j++) acc += row[j] * input[base - j];
      } else if (len > 0) {
        // Near the ends the input is taken as one period of a periodic signal:
        // exactly right for a music loop (the loop point gets no ringing from
        // a cut-off edge), and the same as zero padding for a prompt whose
        // ends are silent.
        for (let j = 0; j < width; j++) {
          const n = (base - j) % len;
          acc += row[j] * input[n < 0 ? n + len : n];
        }
      }
      output[k] = saturate(acc);
    }
  }

  /** Multiply-adds per output sample: a measure of cost used to size work slices. */
  get tapsPerOutput(): number {
    return 2 * this.halfLength;
  }
}

export function saturate(x: number): number {
  const r = Math.round(x);
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

/** Converts the whole of `input` (16-bit scale floats) at `inRate` to 16-bit PCM at `outRate`. */
export function resampleSync(input: Float32Array, inRate: number, outRate: number): Int16Array {
  if (inRate === outRate)
    return input.length === 0 ? new Int16Array(0) : Int16Array.from(input, saturate);
  const r = new Resampler(inRate, outRate);
  const out = new Int16Array(r.outputLength(input.length));
  r.process(input, out, 0, out.length);
  return out;
}

/** Work per slice of the asynchronous conversion: a few milliseconds of CPU. */
const SLICE_MACS = 4_000_000;

/**
 * Same result as resampleSync, but yields to the event loop between slices so
 * that decoding a long file never stalls the 20 ms mixer tick of live calls.
 */
export async function resample(
  input: Float32Array,
  inRate: number,
  outRate: number,
): Promise<Int16Array> {
  if (inRate === outRate) return resampleSync(input, inRate, outRate);
  const r = new Resampler(inRate, outRate);
  const out = new Int16Array(r.outputLength(input.length));
  const slice = Math.max(256, Math.floor(SLICE_MACS / r.tapsPerOutput));
  for (let from = 0; from < out.length; from += slice) {
    if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    r.process(input, out, from, Math.min(out.length, from + slice));
  }
  return out;
}
