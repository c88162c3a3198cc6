/**
 * Parses a compound RTCP packet (RFC 3550 §6.1) with the validity checks of
 * Appendix A.2: every packet version 2, padding only on the last one, and
 * the packet lengths adding up exactly to the datagram. Anything malformed
 * makes the whole datagram invalid (null): a receiver must not act on half
 * of a corrupt report. The first packet is not required to be SR/RR, so
 * reduced-size RTCP (RFC 5506) also parses.
 */
import {
  RTCP_BYE,
  RTCP_RR,
  RTCP_SDES,
  RTCP_SR,
  type Goodbye,
  type ReceiverReport,
  type ReportBlock,
  type RtcpPacket,
  type SdesChunk,
  type SenderReport,
  type SourceDescription,
} from './rtcp-types.js';

const REPORT_BLOCK_SIZE = 24;

function u32(b: Buffer, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function readReportBlocks(body: Buffer, at: number, count: number): ReportBlock[] {
  const blocks: ReportBlock[] = [];
  for (let i = 0; i < count; i++, at += REPORT_BLOCK_SIZE) {
    const lost24 = (body[at + 5] << 16) | (body[at + 6] << 8) | body[at + 7];
    blocks.push({
      ssrc: u32(body, at),
      fractionLost: body[at + 4],
      // Signed 24-bit (§6.4.1): shift into the int32 sign bit and back.
      cumulativeLost: (lost24 << 8) >> 8,
      highestSeq: u32(body, at + 8),
      jitter: u32(body, at + 12),
      lsr: u32(body, at + 16),
      dlsr: u32(body, at + 20),
    });
  }
  return blocks;
}

function parseSr(body: Buffer, count: number): SenderReport | null {
  // §6.4.1: SSRC + 20 bytes of sender info + report blocks (+ ignored profile extensions).
  if (body.length < 24 + count * REPORT_BLOCK_SIZE) return null;
  return {
    type: 'SR',
    ssrc: u32(body, 0),
    ntpSeconds: u32(body, 4),
    ntpFraction: u32(body, 8),
    rtpTimestamp: u32(body, 12),
    packetCount: u32(body, 16),
    octetCount: u32(body, 20),
    reports: readReportBlocks(body, 24, count),
  };
}

function parseRr(body: Buffer, count: number): ReceiverReport | null {
  if (body.length < 4 + count * REPORT_BLOCK_SIZE) return null;
  return { type: 'RR', ssrc: u32(body, 0), reports: readReportBlocks(body, 4, count) };
}

function parseSdes(body: Buffer, count: number): SourceDescription | null {
  // §6.5: each chunk is an SSRC, items (type, length, text), a null item, then zero padding to 32 bits.
  const chunks: SdesChunk[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > body.length) return null;
    const chunk: SdesChunk = { ssrc: u32(body, at), items: [] };
    at += 4;
    for (;;) {
      if (at >= body.length) return null;
      const type = body[at];
      if (type === 0) break;
      if (at + 2 > body.length) return null;
      const len = body[at + 1];
      if (at + 2 + len > body.length) return null;
      chunk.items.push({ type, value: body.toString('utf8', at + 2, at + 2 + len) });
      at += 2 + len;
    }
    // Skip the terminating null octet and the padding up to the next 32-bit boundary.
    at = (at + 4) & ~3;
    if (at > body.length) return null;
    chunks.push(chunk);
  }
  return { type: 'SDES', chunks };
}

function parseBye(body: Buffer, count: number): Goodbye | null {
  // §6.6: SSRC/CSRC list, then an optional length-prefixed reason.
  if (body.length < count * 4) return null;
  const ssrcs: number[] = [];
  for (let i = 0; i < count; i++) ssrcs.push(u32(body, i * 4));
  const bye: Goodbye = { type: 'BYE', ssrcs };
  const at = count * 4;
  if (at < body.length) {
    const len = body[at];
    if (at + 1 + len > body.length) return null;
    if (len > 0) bye.reason = body.toString('utf8', at + 1, at + 1 + len);
  }
  return bye;
}

/** Parses a compound RTCP datagram; null if any part of it is malformed. */
export function parseRtcp(buf: Buffer): RtcpPacket[] | null {
  const packets: RtcpPacket[] = [];
  let at = 0;
  while (at < buf.length) {
    if (at + 4 > buf.length) return null;
    const b0 = buf[at];
    if (b0 >> 6 !== 2) return null;
    const count = b0 & 0x1f;
    const packetType = buf[at + 1];
    // §6.4.1: length in 32-bit words minus one, header included.
    const size = (((buf[at + 2] << 8) | buf[at + 3]) + 1) * 4;
    const end = at + size;
    if (end > buf.length) return null;
    let bodyEnd = end;
    if (b0 & 0x20) {
      // A.2: only the last packet of a compound may be padded.
      if (end !== buf.length) return null;
      const pad = buf[end - 1];
      if (pad === 0 || pad > size - 4) return null;
      bodyEnd = end - pad;
    }
    const body = buf.subarray(at + 4, bodyEnd);
    let packet: RtcpPacket | null;
    switch (packetType) {
      case RTCP_SR:
        packet = parseSr(body, count);
        break;
      case RTCP_RR:
        packet = parseRr(body, count);
        break;
      case RTCP_SDES:
        packet = parseSdes(body, count);
        break;
      case RTCP_BYE:
        packet = parseBye(body, count);
        break;
      default:
        packet = { type: 'unknown', packetType, count, body };
    }
    if (!packet) return null;
    packets.push(packet);
    at = end;
  }
  return packets.length > 0 ? packets : null;
}

/**
 * RFC 5761 §4: on a port shared by RTP and RTCP, payload-type octets
 * 192–223 are RTCP (RTP payload types 64–95 are avoided for this reason).
 */
export function isRtcp(buf: Buffer): boolean {
  return buf.length >= 4 && buf[0] >> 6 === 2 && buf[1] >= 192 && buf[1] <= 223;
}
