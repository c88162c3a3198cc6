import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseRtp,
  rtpPacketSize,
  serializeRtp,
  type RtpPacketInit,
} from '../../../src/media/rtp/index.js';
import { seededRng as mulberry32 } from '../../support/mutator.js';

const payload = Buffer.from(Array.from({ length: 160 }, (_, i) => i & 0xff));

function roundTrip(init: RtpPacketInit): void {
  const wire = serializeRtp(init);
  assert.equal(wire.length, rtpPacketSize(init));
  const p = parseRtp(wire);
  assert.ok(p, 'parses');
  assert.equal(p.marker, init.marker ?? false);
  assert.equal(p.payloadType, init.payloadType);
  assert.equal(p.sequenceNumber, init.sequenceNumber);
  assert.equal(p.timestamp, init.timestamp);
  assert.equal(p.ssrc, init.ssrc);
  assert.deepEqual([...p.csrc], [...(init.csrc ?? [])]);
  assert.deepEqual(p.payload, Buffer.from(init.payload));
  assert.equal(p.paddingLength, init.paddingLength ?? 0);
  if (init.extension) {
    assert.ok(p.extension);
    assert.equal(p.extension.profile, init.extension.profile);
    assert.deepEqual(p.extension.data, init.extension.data);
  } else {
    assert.equal(p.extension, null);
  }
  // Serialising the parsed packet gives the same bytes back.
  assert.deepEqual(serializeRtp(p), wire);
}

describe('RTP packet', () => {
  it('round-trips a plain packet with extreme field values', () => {
    roundTrip({ payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, payload });
    roundTrip({
      marker: true,
      payloadType: 127,
      sequenceNumber: 65535,
      timestamp: 0xffffffff,
      ssrc: 0xffffffff,
      payload: Buffer.alloc(0),
    });
  });

  it('lays out the fixed header as RFC 3550 §5.1 says', () => {
    const wire = serializeRtp({
      marker: true,
      payloadType: 8,
      sequenceNumber: 0x1234,
      timestamp: 0xdeadbeef,
      ssrc: 0x01020304,
      payload: Buffer.from([0xaa]),
    });
    assert.deepEqual(
      [...wire],
      [0x80, 0x88, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0xaa],
    );
  });

  it('round-trips CSRC lists, header extensions and padding together', () => {
    roundTrip({
      payloadType: 8,
      sequenceNumber: 4242,
      timestamp: 123456789,
      ssrc: 0xcafebabe,
      csrc: Array.from({ length: 15 }, (_, i) => 0x1000 + i),
      extension: { profile: 0xbede, data: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]) },
      paddingLength: 7,
      payload,
    });
    roundTrip({ payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrc: [7], payload });
    roundTrip({
      payloadType: 0,
      sequenceNumber: 1,
      timestamp: 2,
      ssrc: 3,
      extension: { profile: 1, data: Buffer.alloc(0) },
      payload,
    });
    roundTrip({
      payloadType: 0,
      sequenceNumber: 1,
      timestamp: 2,
      ssrc: 3,
      paddingLength: 1,
      payload,
    });
  });

  it('returns the payload as a view into the datagram (no copy)', () => {
    const wire = serializeRtp({
      payloadType: 0,
      sequenceNumber: 1,
      timestamp: 2,
      ssrc: 3,
      payload,
    });
    const p = parseRtp(wire);
    assert.ok(p);
    assert.equal(p.payload.buffer, wire.buffer);
    assert.equal(p.payload.byteOffset, wire.byteOffset + 12);
  });

  it('writes into a caller buffer', () => {
    const out = Buffer.alloc(400, 0xee);
    const wire = serializeRtp(
      { payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, payload },
      out,
    );
    assert.equal(wire.length, 172);
    assert.equal(wire.buffer, out.buffer);
    assert.throws(
      () =>
        serializeRtp(
          { payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, payload },
          Buffer.alloc(20),
        ),
      RangeError,
    );
  });

  it('rejects out-of-range fields when serialising', () => {
    const base = { payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, payload };
    assert.throws(() => serializeRtp({ ...base, payloadType: 128 }), RangeError);
    assert.throws(() => serializeRtp({ ...base, sequenceNumber: 65536 }), RangeError);
    assert.throws(() => serializeRtp({ ...base, timestamp: -1 }), RangeError);
    assert.throws(() => serializeRtp({ ...base, csrc: new Array(16).fill(1) }), RangeError);
    assert.throws(
      () => serializeRtp({ ...base, extension: { profile: 1, data: Buffer.alloc(3) } }),
      RangeError,
    );
  });

  it('returns null for malformed packets', () => {
    const good = serializeRtp({
      payloadType: 0,
      sequenceNumber: 1,
      timestamp: 2,
      ssrc: 3,
      payload,
    });
    assert.equal(parseRtp(Buffer.alloc(0)), null);
    assert.equal(parseRtp(good.subarray(0, 11)), null, 'shorter than the fixed header');
    for (const version of [0, 1, 3]) {
      const bad = Buffer.from(good);
      bad[0] = (bad[0] & 0x3f) | (version << 6);
      assert.equal(parseRtp(bad), null, `version ${version}`);
    }
    const csrcPastEnd = Buffer.from(good.subarray(0, 20));
    csrcPastEnd[0] = 0x80 | 3; // 3 CSRCs need 24 bytes
    assert.equal(parseRtp(csrcPastEnd), null, 'CSRC list past the end');

    const extNoHeader = Buffer.from(good.subarray(0, 14));
    extNoHeader[0] = 0x90;
    assert.equal(parseRtp(extNoHeader), null, 'extension header cut off');
    const extPastEnd = Buffer.from(good.subarray(0, 20));
    extPastEnd[0] = 0x90;
    extPastEnd.writeUInt16BE(100, 14); // 400 bytes of extension
    assert.equal(parseRtp(extPastEnd), null, 'extension longer than the packet');

    const padTooLong = Buffer.from(good);
    padTooLong[0] |= 0x20;
    padTooLong[padTooLong.length - 1] = 200; // only 160 bytes of room after the header
    assert.equal(parseRtp(padTooLong), null, 'padding longer than the packet');
    const padZero = Buffer.from(good);
    padZero[0] |= 0x20;
    padZero[padZero.length - 1] = 0;
    assert.equal(parseRtp(padZero), null, 'padding count of zero');
  });

  it('accepts padding that consumes the whole payload', () => {
    const wire = Buffer.from([0xa0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4]);
    const p = parseRtp(wire);
    assert.ok(p);
    assert.equal(p.payload.length, 0);
    assert.equal(p.paddingLength, 4);
  });

  it('never throws on 10 000 random or mutated buffers', () => {
    const rnd = mulberry32(0xc0ffee);
    const valid = serializeRtp({
      payloadType: 0,
      sequenceNumber: 1,
      timestamp: 2,
      ssrc: 3,
      csrc: [9, 8],
      extension: { profile: 0xbede, data: Buffer.alloc(8, 1) },
      paddingLength: 3,
      payload,
    });
    let parsed = 0;
    for (let i = 0; i < 10000; i++) {
      let buf: Buffer;
      if (i % 2 === 0) {
        buf = Buffer.alloc(Math.floor(rnd() * 64));
        for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(rnd() * 256);
        // Bias half of them towards version 2 so the deeper checks run.
        if (buf.length > 0 && rnd() < 0.5) buf[0] = (buf[0] & 0x3f) | 0x80;
      } else {
        buf = Buffer.from(valid.subarray(0, Math.floor(rnd() * (valid.length + 1))));
        for (let k = 0; k < 3 && buf.length > 0; k++)
          buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
      }
      const p = parseRtp(buf);
      if (p) {
        parsed++;
        // Whatever parses is internally consistent.
        assert.ok(p.payload.length + p.paddingLength + 12 + p.csrc.length * 4 <= buf.length);
      }
    }
    assert.ok(parsed > 0, 'some inputs are valid packets');
  });
});
