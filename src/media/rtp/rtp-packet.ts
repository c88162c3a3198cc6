/**
 * RTP data packets (RFC 3550 §5.1). Parsing is on the hot path (every 20 ms
 * per member), so it reads bytes directly and returns the payload, CSRC-free
 * packets and the header extension as views into the received buffer: no
 * copies. Malformed input yields null, never an exception.
 */

/** RFC 3550 §5.3.1 header extension: profile-defined 16 bits + 32-bit words. */
export interface RtpHeaderExtension {
  profile: number;
  /** The extension words (length a multiple of 4), a view into the packet. */
  data: Buffer;
}

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  /** Contributing sources (RFC 3550 §5.1 CC/CSRC), empty for a plain stream. */
  csrc: readonly number[];
  extension: RtpHeaderExtension | null;
  /** The payload, a view into the packet (padding excluded). */
  payload: Buffer;
  /** Number of padding octets at the end (RFC 3550 §5.1 P bit), 0 when none. */
  paddingLength: number;
}

/** What serializeRtp needs; everything optional defaults to "absent". */
export interface RtpPacketInit {
  marker?: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrc?: readonly number[];
  extension?: RtpHeaderExtension | null;
  payload: Uint8Array;
  paddingLength?: number;
}

export const RTP_VERSION = 2;
export const RTP_HEADER_SIZE = 12;
const NO_CSRC: readonly number[] = Object.freeze([]);

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/**
 * Parses one RTP packet. Returns null when it is not a valid RTP packet:
 * shorter than the fixed header, version ≠ 2, CSRC list or header extension
 * running past the end, or a padding count of zero or longer than the room
 * left after the header (RFC 3550 §5.1, A.1 validity checks).
 */
export function parseRtp(buf: Buffer): RtpPacket | null {
  const len = buf.length;
  if (len < RTP_HEADER_SIZE) return null;
  const b0 = buf[0];
  if (b0 >> 6 !== RTP_VERSION) return null;
  const cc = b0 & 0x0f;
  let offset = RTP_HEADER_SIZE + cc * 4;
  if (offset > len) return null;

  let csrc: readonly number[] = NO_CSRC;
  if (cc > 0) {
    const list: number[] = new Array(cc);
    for (let i = 0; i < cc; i++) list[i] = u32(buf, RTP_HEADER_SIZE + i * 4);
    csrc = list;
  }

  let extension: RtpHeaderExtension | null = null;
  if (b0 & 0x10) {
    // §5.3.1: 16-bit profile field, 16-bit length in 32-bit words (header word excluded).
    if (offset + 4 > len) return null;
    const profile = (buf[offset] << 8) | buf[offset + 1];
    const words = (buf[offset + 2] << 8) | buf[offset + 3];
    const end = offset + 4 + words * 4;
    if (end > len) return null;
    extension = { profile, data: buf.subarray(offset + 4, end) };
    offset = end;
  }

  let paddingLength = 0;
  if (b0 & 0x20) {
    // §5.1: the last octet counts the padding, itself included, so it is ≥ 1.
    paddingLength = buf[len - 1];
    if (paddingLength === 0 || offset + paddingLength > len) return null;
  }

  const b1 = buf[1];
  return {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: (buf[2] << 8) | buf[3],
    timestamp: u32(buf, 4),
    ssrc: u32(buf, 8),
    csrc,
    extension,
    payload: buf.subarray(offset, len - paddingLength),
    paddingLength,
  };
}

/** Bytes serializeRtp will write for `p`. */
export function rtpPacketSize(p: RtpPacketInit): number {
  const csrcCount = p.csrc?.length ?? 0;
  const extLen = p.extension ? 4 + p.extension.data.length : 0;
  return RTP_HEADER_SIZE + csrcCount * 4 + extLen + p.payload.length + (p.paddingLength ?? 0);
}

function checkField(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`RTP ${name} out of range: ${value}`);
  }
}

/**
 * Writes an RTP packet (RFC 3550 §5.1) into `out` (or a new Buffer) and
 * returns the written bytes. Padding octets are zero except the last, which
 * holds the count.
 * @throws RangeError on out-of-range fields or a too-small `out` (caller bugs).
 */
export function serializeRtp(p: RtpPacketInit, out?: Buffer): Buffer {
  checkField('payload type', p.payloadType, 0x7f);
  checkField('sequence number', p.sequenceNumber, 0xffff);
  checkField('timestamp', p.timestamp, 0xffffffff);
  checkField('SSRC', p.ssrc, 0xffffffff);
  const csrc = p.csrc ?? NO_CSRC;
  if (csrc.length > 15) throw new RangeError(`RTP allows at most 15 CSRCs, got ${csrc.length}`);
  const padding = p.paddingLength ?? 0;
  checkField('padding length', padding, 0xff);
  const ext = p.extension ?? null;
  if (ext) {
    checkField('extension profile', ext.profile, 0xffff);
    if (ext.data.length % 4 !== 0 || ext.data.length > 0xffff * 4) {
      throw new RangeError(
        `RTP header extension must be whole 32-bit words, got ${ext.data.length} bytes`,
      );
    }
  }

  const size = rtpPacketSize(p);
  let buf: Buffer;
  if (out === undefined) buf = Buffer.allocUnsafe(size);
  else if (out.length < size)
    throw new RangeError(`output holds ${out.length} bytes, packet needs ${size}`);
  else buf = out.length === size ? out : out.subarray(0, size);

  buf[0] = (RTP_VERSION << 6) | (padding > 0 ? 0x20 : 0) | (ext ? 0x10 : 0) | csrc.length;
  buf[1] = (p.marker ? 0x80 : 0) | p.payloadType;
  buf.writeUInt16BE(p.sequenceNumber, 2);
  buf.writeUInt32BE(p.timestamp, 4);
  buf.writeUInt32BE(p.ssrc, 8);
  let offset = RTP_HEADER_SIZE;
  for (const c of csrc) {
    checkField('CSRC', c, 0xffffffff);
    buf.writeUInt32BE(c, offset);
    offset += 4;
  }
  if (ext) {
    buf.writeUInt16BE(ext.profile, offset);
    buf.writeUInt16BE(ext.data.length / 4, offset + 2);
    buf.set(ext.data, offset + 4);
    offset += 4 + ext.data.length;
  }
  buf.set(p.payload, offset);
  offset += p.payload.length;
  if (padding > 0) {
    buf.fill(0, offset, offset + padding - 1);
    buf[offset + padding - 1] = padding;
  }
  return buf;
}
