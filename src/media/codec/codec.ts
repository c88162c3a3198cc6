/**
 * The static RTP payload types for G.711 (RFC 3551 §4.5.14, Table 4): PCMU = 0,
 * PCMA = 8, both 8000 Hz mono. A `Codec` is what a stream needs to turn a
 * 20 ms frame of Int16 PCM into a payload and back.
 */
import { decodeAlaw, encodeAlaw } from './g711-alaw.js';
import { decodeMulaw, encodeMulaw } from './g711-mulaw.js';

export type CodecName = 'PCMU' | 'PCMA';

export interface Codec {
  readonly name: CodecName;
  /** Static payload type (RFC 3551 Table 4). */
  readonly payloadType: 0 | 8;
  readonly clockRate: 8000;
  encode(pcm: Int16Array, out?: Uint8Array): Uint8Array;
  decode(bytes: Uint8Array, out?: Int16Array): Int16Array;
}

export const PCMU: Codec = Object.freeze({
  name: 'PCMU',
  payloadType: 0,
  clockRate: 8000,
  encode: encodeMulaw,
  decode: decodeMulaw,
});

export const PCMA: Codec = Object.freeze({
  name: 'PCMA',
  payloadType: 8,
  clockRate: 8000,
  encode: encodeAlaw,
  decode: decodeAlaw,
});

/**
 * Looks a codec up by its SDP encoding name (rtpmap), case-insensitively as
 * RFC 4566 §6 says encoding names are; undefined for anything else.
 */
export function codecByName(name: string): Codec | undefined {
  switch (name.toUpperCase()) {
    case 'PCMU':
      return PCMU;
    case 'PCMA':
      return PCMA;
    default:
      return undefined;
  }
}

/** Looks a codec up by static payload type; undefined for any other number. */
export function codecByPayloadType(pt: number): Codec | undefined {
  if (pt === 0) return PCMU;
  if (pt === 8) return PCMA;
  return undefined;
}
