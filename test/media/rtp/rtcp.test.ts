import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  RTCP_APP,
  SdesItemType,
  isRtcp,
  ntpFromUnixMs,
  ntpMiddle32,
  parseRtcp,
  serializeRtcp,
  serializeRtp,
  type RtcpPacket,
} from '../../../src/media/rtp/index.js';
import { seededRng as mulberry32 } from '../../support/mutator.js';

const block = {
  ssrc: 0x11223344,
  fractionLost: 13,
  cumulativeLost: -5,
  highestSeq: 0x0001fffe,
  jitter: 42,
  lsr: 0xabcdef01,
  dlsr: 65536,
};

const compound: RtcpPacket[] = [
  {
    type: 'SR',
    ssrc: 0xdeadbeef,
    ntpSeconds: 0xe8000000,
    ntpFraction: 0x80000000,
    rtpTimestamp: 160000,
    packetCount: 1000,
    octetCount: 160000,
    reports: [block, { ...block, ssrc: 7, cumulativeLost: 0x7fffff }],
  },
  {
    type: 'SDES',
    chunks: [
      { ssrc: 0xdeadbeef, items: [{ type: SdesItemType.CNAME, value: 'partyline@127.0.0.1' }] },
      {
        ssrc: 5,
        items: [
          { type: SdesItemType.NAME, value: 'Zoë' },
          { type: SdesItemType.TOOL, value: 'x' },
        ],
      },
      { ssrc: 6, items: [] },
    ],
  },
  { type: 'BYE', ssrcs: [0xdeadbeef, 9], reason: 'call ended' },
];

describe('RTCP', () => {
  it('round-trips a compound SR + SDES + BYE', () => {
    const wire = serializeRtcp(compound);
    assert.equal(wire.length % 4, 0);
    assert.deepEqual(parseRtcp(wire), compound);
    assert.ok(isRtcp(wire));
  });

  it('round-trips RR with and without report blocks, BYE without reason', () => {
    const packets: RtcpPacket[] = [
      { type: 'RR', ssrc: 1, reports: [] },
      { type: 'RR', ssrc: 2, reports: [block] },
      { type: 'BYE', ssrcs: [] },
    ];
    assert.deepEqual(parseRtcp(serializeRtcp(packets)), packets);
  });

  it('lays out an RR header as RFC 3550 §6.4.2 says', () => {
    const wire = serializeRtcp([{ type: 'RR', ssrc: 0x01020304, reports: [block] }]);
    assert.equal(wire.length, 32);
    assert.deepEqual([...wire.subarray(0, 8)], [0x81, 201, 0, 7, 1, 2, 3, 4]);
    // Cumulative lost -5 as signed 24-bit.
    assert.deepEqual([...wire.subarray(12, 16)], [13, 0xff, 0xff, 0xfb]);
  });

  it('clamps cumulative loss to the signed 24-bit field', () => {
    const wire = serializeRtcp([
      { type: 'RR', ssrc: 1, reports: [{ ...block, cumulativeLost: 1e9 }] },
    ]);
    const [rr] = parseRtcp(wire) ?? [];
    assert.ok(rr?.type === 'RR');
    assert.equal(rr.reports[0].cumulativeLost, 0x7fffff);
  });

  it('keeps packet types it does not interpret', () => {
    const app: RtcpPacket = {
      type: 'unknown',
      packetType: RTCP_APP,
      count: 3,
      body: Buffer.from('abcdWXYZ'),
    };
    const parsed = parseRtcp(serializeRtcp([{ type: 'RR', ssrc: 1, reports: [] }, app]));
    assert.deepEqual(parsed?.[1], app);
  });

  it('accepts padding on the last packet only', () => {
    const rr = serializeRtcp([{ type: 'RR', ssrc: 1, reports: [] }]);
    const padded = Buffer.concat([rr, Buffer.from([0, 0, 0, 4])]);
    padded[0] |= 0x20;
    padded.writeUInt16BE(2, 2);
    assert.deepEqual(parseRtcp(padded), [{ type: 'RR', ssrc: 1, reports: [] }]);
    const first = Buffer.concat([padded, rr]);
    assert.equal(parseRtcp(first), null);
  });

  it('returns null for malformed datagrams', () => {
    const wire = serializeRtcp(compound);
    assert.equal(parseRtcp(Buffer.alloc(0)), null);
    assert.equal(parseRtcp(wire.subarray(0, wire.length - 4)), null, 'lengths do not add up');
    assert.equal(parseRtcp(Buffer.concat([wire, Buffer.from([0x80])])), null, 'trailing garbage');
    const badVersion = Buffer.from(wire);
    badVersion[0] &= 0x3f;
    assert.equal(parseRtcp(badVersion), null);
    const tooManyBlocks = serializeRtcp([{ type: 'RR', ssrc: 1, reports: [block] }]);
    tooManyBlocks[0] = 0x82; // claims two blocks, holds one
    assert.equal(parseRtcp(tooManyBlocks), null);
    const sdes = serializeRtcp([compound[1]]);
    sdes[9] = 200; // CNAME length past the end
    assert.equal(parseRtcp(sdes), null);
    const bye = serializeRtcp([{ type: 'BYE', ssrcs: [1], reason: 'x' }]);
    bye[8] = 10; // reason length past the end
    assert.equal(parseRtcp(bye), null);
  });

  it('tells RTCP from RTP on a shared port (RFC 5761)', () => {
    const rtp = serializeRtp({
      payloadType: 0,
      sequenceNumber: 1,
      timestamp: 1,
      ssrc: 1,
      payload: Buffer.alloc(4),
    });
    assert.equal(isRtcp(rtp), false);
    const marked = serializeRtp({
      marker: true,
      payloadType: 8,
      sequenceNumber: 1,
      timestamp: 1,
      ssrc: 1,
      payload: Buffer.alloc(4),
    });
    assert.equal(isRtcp(marked), false);
  });

  it('never throws on 10 000 random or mutated datagrams', () => {
    const rnd = mulberry32(42);
    const valid = serializeRtcp(compound);
    for (let i = 0; i < 10000; i++) {
      let buf: Buffer;
      if (i % 2 === 0) {
        buf = Buffer.alloc(Math.floor(rnd() * 80));
        for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(rnd() * 256);
        if (buf.length > 0) buf[0] = (buf[0] & 0x3f) | 0x80;
      } else {
        buf = Buffer.from(valid.subarray(0, Math.floor(rnd() * (valid.length + 1))));
        for (let k = 0; k < 2 && buf.length > 0; k++)
          buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
      }
      parseRtcp(buf);
    }
  });

  it('converts Unix time to NTP and its compact middle 32 bits', () => {
    // 2024-01-01T00:00:00.500Z
    const ntp = ntpFromUnixMs(Date.UTC(2024, 0, 1, 0, 0, 0, 500));
    assert.equal(ntp.seconds, 1704067200 + 2208988800);
    assert.equal(ntp.fraction, 0x80000000);
    assert.equal(ntpMiddle32(ntp), (((ntp.seconds & 0xffff) << 16) | 0x8000) >>> 0);
  });
});
