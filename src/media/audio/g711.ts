/**
 * G.711 expansion (ITU-T G.711 §A.2/§B.2 tables) for µ-law (WAV format 7) and
 * A-law (WAV format 6) files. This layer only reads such files, so it needs
 * the 256-entry decode tables and not the encoder; the RTP codecs live in
 * media/codec.
 */

function expandUlaw(code: number): number {
  // Bits are transmitted inverted (G.711 §A.2); 0x84 is the bias (33 << 2).
  const u = ~code & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

function expandAlaw(code: number): number {
  // Even bits are inverted on the line (G.711 §B.2); the sign bit set means positive.
  const a = code ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude =
    exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

export const ULAW_TO_LINEAR: Int16Array = Int16Array.from({ length: 256 }, (_, i) => expandUlaw(i));
export const ALAW_TO_LINEAR: Int16Array = Int16Array.from({ length: 256 }, (_, i) => expandAlaw(i));
