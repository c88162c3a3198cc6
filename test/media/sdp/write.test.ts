/**
 * writeSdp writes what varies per call (address, ports, session id and
 * version) into a rendering kept per shape: its text must be, character for
 * character, what sdp-transform renders for the whole spec (renderSdp).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSdp } from '../../../src/media/sdp/parse.js';
import { renderSdp, writeSdp, type SdpSpec } from '../../../src/media/sdp/write.js';

const PCMU = { payloadType: 0, encodingName: 'PCMU', clockRate: 8000 };
const PCMA = { payloadType: 8, encodingName: 'PCMA', clockRate: 8000 };
const DTMF = { payloadType: 101, encodingName: 'telephone-event', clockRate: 8000, fmtp: '0-16' };

const SHAPES: Omit<SdpSpec, 'address' | 'sessionId' | 'sessionVersion'>[] = [
  {
    addressType: 'IP4',
    media: [
      {
        kind: 'audio',
        port: 1,
        formats: [PCMU, PCMA, DTMF],
        ptime: 20,
        direction: 'sendrecv',
        rtcpMux: false,
      },
    ],
  },
  {
    addressType: 'IP4',
    media: [
      { kind: 'audio', port: 1, formats: [PCMA], ptime: 30, direction: 'sendonly', rtcpMux: true },
    ],
  },
  {
    addressType: 'IP6',
    media: [
      { kind: 'audio', port: 1, formats: [PCMU], ptime: 20, direction: 'inactive', rtcpMux: false },
    ],
  },
  {
    // An answer: the peer's video m-line refused (port 0, its formats echoed), then our audio.
    addressType: 'IP4',
    media: [
      { kind: 'disabled', type: 'video', protocol: 'RTP/AVP', formats: ['96', '97'] },
      {
        kind: 'audio',
        port: 1,
        formats: [PCMU, DTMF],
        ptime: 20,
        direction: 'recvonly',
        rtcpMux: false,
      },
      { kind: 'disabled', type: 'application', protocol: 'UDP/BFCP', formats: ['*'] },
    ],
  },
];

function withCall(shape: (typeof SHAPES)[number], n: number): SdpSpec {
  const v6 = shape.addressType === 'IP6';
  return {
    ...shape,
    address: v6 ? `2001:db8::${n}` : `10.0.${n}.${n + 1}`,
    sessionId: String(100000000000 + n * 7919),
    sessionVersion: n === 2 ? '18446744073709551617' : String(n),
    media: shape.media.map((m) => (m.kind === 'audio' ? { ...m, port: 20000 + 2 * n } : m)),
  };
}

test('every shape, call after call: the very text sdp-transform renders for the whole spec', () => {
  for (const shape of SHAPES) {
    for (let n = 1; n <= 4; n++) {
      const spec = withCall(shape, n);
      const text = writeSdp(spec);
      assert.equal(
        text,
        renderSdp(spec),
        `shape ${shape.media.map((m) => m.kind).join('+')}, call ${n}`,
      );
      // And it reads back as written.
      const parsed = parseSdp(text);
      assert.ok(!(parsed instanceof Error), String(parsed));
      assert.equal(parsed.origin.sessionVersion, spec.sessionVersion);
      assert.equal(parsed.connection?.address, spec.address);
      const audio = parsed.media.find((m) => m.type === 'audio')!;
      assert.equal(audio.port, 20000 + 2 * n);
    }
  }
});

test('specs differing only in a format, a direction or rtcp-mux are different shapes', () => {
  const base = withCall(SHAPES[0]!, 1);
  const audio = base.media[0]!;
  assert.equal(audio.kind, 'audio');
  if (audio.kind !== 'audio') return;
  const variants: SdpSpec[] = [
    { ...base, media: [{ ...audio, formats: [PCMU, DTMF] }] },
    { ...base, media: [{ ...audio, direction: 'sendonly' }] },
    { ...base, media: [{ ...audio, rtcpMux: true }] },
    { ...base, media: [{ ...audio, ptime: 40 }] },
    { ...base, media: [{ ...audio, formats: [PCMU, PCMA, { ...DTMF, fmtp: '0-15' }] }] },
  ];
  writeSdp(base);
  for (const v of variants) assert.equal(writeSdp(v), renderSdp(v));
});
