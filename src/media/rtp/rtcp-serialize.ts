/**
 * Builds compound RTCP datagrams (RFC 3550 §6.1, §6.4–§6.6). Sizes are
 * computed first so the datagram is written into one buffer.
 */
import {
  RTCP_BYE,
  RTCP_RR,
  RTCP_SDES,
  RTCP_SR,
  type ReportBlock,
  type RtcpPacket,
} from './rtcp-types.js';

const MAX_COUNT = 31;

function bodySize(p: RtcpPacket): number {
  switch (p.type) {
    case 'SR':
      return 24 + p.reports.length * 24;
    case 'RR':
      return 4 + p.reports.length * 24;
    case 'SDES': {
      let n = 0;
      for (const chunk of p.chunks) {
        let c = 4;
        for (const item of chunk.items) c += 2 + Buffer.byteLength(item.value, 'utf8');
        // Null item, then padding to a 32-bit boundary (§6.5).
        n += (c + 4) & ~3;
      }
      return n;
    }
    case 'BYE': {
      const n = p.ssrcs.length * 4;
      if (p.reason === undefined) return n;
      return (n + 1 + Buffer.byteLength(p.reason, 'utf8') + 3) & ~3;
    }
    case 'unknown':
      return (p.body.length + 3) & ~3;
  }
}

function countOf(p: RtcpPacket): number {
  switch (p.type) {
    case 'SR':
    case 'RR':
      return p.reports.length;
    case 'SDES':
      return p.chunks.length;
    case 'BYE':
      return p.ssrcs.length;
    case 'unknown':
      return p.count;
  }
}

function typeOf(p: RtcpPacket): number {
  switch (p.type) {
    case 'SR':
      return RTCP_SR;
    case 'RR':
      return RTCP_RR;
    case 'SDES':
      return RTCP_SDES;
    case 'BYE':
      return RTCP_BYE;
    case 'unknown':
      return p.packetType;
  }
}

function writeReportBlocks(buf: Buffer, at: number, blocks: ReportBlock[]): void {
  for (const r of blocks) {
    buf.writeUInt32BE(r.ssrc >>> 0, at);
    buf[at + 4] = Math.max(0, Math.min(255, Math.round(r.fractionLost)));
    // §6.4.1: signed 24 bits, clamped rather than wrapped.
    const lost = Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(r.cumulativeLost))) & 0xffffff;
    buf[at + 5] = lost >> 16;
    buf[at + 6] = (lost >> 8) & 0xff;
    buf[at + 7] = lost & 0xff;
    buf.writeUInt32BE(r.highestSeq >>> 0, at + 8);
    buf.writeUInt32BE(Math.min(0xffffffff, Math.max(0, Math.round(r.jitter))), at + 12);
    buf.writeUInt32BE(r.lsr >>> 0, at + 16);
    buf.writeUInt32BE(r.dlsr >>> 0, at + 20);
    at += 24;
  }
}

function writeText(buf: Buffer, at: number, text: string): number {
  const len = buf.write(text, at + 1, 'utf8');
  buf[at] = len;
  return at + 1 + len;
}

function writeBody(buf: Buffer, at: number, p: RtcpPacket): void {
  switch (p.type) {
    case 'SR':
      buf.writeUInt32BE(p.ssrc >>> 0, at);
      buf.writeUInt32BE(p.ntpSeconds >>> 0, at + 4);
      buf.writeUInt32BE(p.ntpFraction >>> 0, at + 8);
      buf.writeUInt32BE(p.rtpTimestamp >>> 0, at + 12);
      buf.writeUInt32BE(p.packetCount >>> 0, at + 16);
      buf.writeUInt32BE(p.octetCount >>> 0, at + 20);
      writeReportBlocks(buf, at + 24, p.reports);
      return;
    case 'RR':
      buf.writeUInt32BE(p.ssrc >>> 0, at);
      writeReportBlocks(buf, at + 4, p.reports);
      return;
    case 'SDES':
      for (const chunk of p.chunks) {
        buf.writeUInt32BE(chunk.ssrc >>> 0, at);
        let pos = at + 4;
        for (const item of chunk.items) {
          buf[pos] = item.type;
          pos = writeText(buf, pos + 1, item.value);
        }
        // The null item and the padding are already zero (Buffer.alloc).
        at += (pos - at + 4) & ~3;
      }
      return;
    case 'BYE': {
      for (const ssrc of p.ssrcs) {
        buf.writeUInt32BE(ssrc >>> 0, at);
        at += 4;
      }
      if (p.reason !== undefined) writeText(buf, at, p.reason);
      return;
    }
    case 'unknown':
      buf.set(p.body, at);
      return;
  }
}

function check(p: RtcpPacket): void {
  if (countOf(p) > MAX_COUNT) throw new RangeError(`RTCP ${p.type} count ${countOf(p)} exceeds 31`);
  if (p.type === 'SDES') {
    for (const chunk of p.chunks) {
      for (const item of chunk.items) {
        if (item.type < 1 || item.type > 255) throw new RangeError(`SDES item type ${item.type}`);
        if (Buffer.byteLength(item.value, 'utf8') > 255)
          throw new RangeError('SDES item longer than 255 bytes');
      }
    }
  }
  if (p.type === 'BYE' && p.reason !== undefined && Buffer.byteLength(p.reason, 'utf8') > 255) {
    throw new RangeError('BYE reason longer than 255 bytes');
  }
}

/**
 * Serialises RTCP packets back to back as one compound datagram.
 * @throws RangeError for counts over 31 or texts over 255 bytes (caller bugs).
 */
export function serializeRtcp(packets: readonly RtcpPacket[]): Buffer {
  let total = 0;
  for (const p of packets) {
    check(p);
    total += 4 + bodySize(p);
  }
  // Zero-filled: SDES null items and all 32-bit alignment padding come for free.
  const buf = Buffer.alloc(total);
  let at = 0;
  for (const p of packets) {
    const size = 4 + bodySize(p);
    buf[at] = 0x80 | countOf(p);
    buf[at + 1] = typeOf(p);
    buf.writeUInt16BE(size / 4 - 1, at + 2);
    writeBody(buf, at + 4, p);
    at += size;
  }
  return buf;
}
