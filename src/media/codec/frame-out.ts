/**
 * Output handling shared by the frame codecs: encode/decode either allocate
 * or write into a caller's buffer (the media loop reuses one per stream so
 * the 20 ms tick allocates nothing).
 */

/** Picks or allocates the output array for a frame of `n` elements. */
export function frameOut<T extends Uint8Array | Int16Array>(
  out: T | undefined,
  n: number,
  Ctor: new (length: number) => T,
): T {
  if (out === undefined) return new Ctor(n);
  if (out.length < n) throw new RangeError(`output holds ${out.length} samples, frame has ${n}`);
  return (out.length === n ? out : out.subarray(0, n)) as T;
}
