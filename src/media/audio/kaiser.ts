/**
 * Kaiser-windowed sinc low-pass design (J. F. Kaiser, "Nonrecursive digital
 * filter design using the I0-sinh window function", 1974). The Kaiser window
 * lets us ask for a stop-band attenuation and a transition width and get the
 * shortest filter that meets them, instead of guessing a length.
 */

/** Zeroth-order modified Bessel function of the first kind, by its power series. */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser's β for a stop-band attenuation of `attenuationDb` (> 50 dB branch of his formula). */
export function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) {
    return 0.5842 * Math.pow(attenuationDb - 21, 0.4) + 0.07886 * (attenuationDb - 21);
  }
  return 0;
}

/**
 * Filter length (taps) for the given attenuation and transition width, the
 * latter in cycles per sample (Kaiser: N ≈ (A − 7.95) / (14.36 Δf)).
 */
export function kaiserLength(attenuationDb: number, transition: number): number {
  return Math.ceil((attenuationDb - 7.95) / (14.36 * transition)) + 1;
}

/**
 * The continuous windowed-sinc impulse response: a low-pass with cut-off
 * `cutoff` (cycles per sample, −6 dB point) windowed to |t| ≤ half, evaluated
 * at time `t` in samples. Its samples sum to ≈ 1 (unity gain at DC).
 */
export function windowedSinc(
  t: number,
  cutoff: number,
  half: number,
  beta: number,
  i0Beta: number,
): number {
  const r = t / half;
  if (r <= -1 || r >= 1) return 0;
  const x = 2 * cutoff * t;
  const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
  return 2 * cutoff * sinc * (besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta);
}
