import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  createOffer,
  holdOffer,
  negotiateAnswer,
  parseSdp,
  readAnswer,
  SdpError,
  unholdOffer,
  type AnswerOptions,
  type Direction,
  type NegotiatedMedia,
  type ParsedSdp,
  type SdpErrorCode,
} from '../../../src/media/sdp/index.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const sdp = (...lines: string[]): string => `${lines.join('\r\n')}\r\n`;
const HEAD = ['v=0', 'o=peer 10 20 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0'];

const LOCAL: AnswerOptions = {
  address: '203.0.113.5',
  port: 40000,
  codecs: ['PCMU', 'PCMA'],
  telephoneEvent: true,
};

function answered(
  offer: string,
  local: Partial<AnswerOptions> = {},
): { answer: ParsedSdp; text: string; media: NegotiatedMedia } {
  const r = negotiateAnswer(offer, { ...LOCAL, ...local });
  if ('error' in r) assert.fail(`unexpected ${r.error.code}: ${r.error.message}`);
  const parsed = parseSdp(r.answer);
  if (parsed instanceof SdpError) assert.fail(`our answer does not parse: ${parsed.message}`);
  return { answer: parsed, text: r.answer, media: r.media };
}

function refused(offer: string, code: SdpErrorCode, local: Partial<AnswerOptions> = {}): SdpError {
  const r = negotiateAnswer(offer, { ...LOCAL, ...local });
  assert.ok('error' in r, 'expected an error');
  assert.equal(r.error.code, code, r.error.message);
  return r.error;
}

function read(offer: string, answer: string): NegotiatedMedia {
  const r = readAnswer(offer, answer);
  if (r instanceof SdpError) assert.fail(`unexpected ${r.code}: ${r.message}`);
  return r;
}

describe('createOffer', () => {
  it('offers the codecs in order, telephone-event 101 with events 0-15, ptime, sendrecv', () => {
    const text = createOffer({
      address: '198.51.100.2',
      port: 41000,
      codecs: ['PCMA', 'PCMU'],
      telephoneEvent: true,
      sessionId: 77,
      sessionVersion: 3,
    });
    assert.match(text, /^v=0\r\n/);
    assert.ok(text.endsWith('\r\n'));
    const d = parseSdp(text);
    assert.ok(!(d instanceof SdpError));
    assert.deepEqual(d.origin, {
      username: 'partyline',
      sessionId: '77',
      sessionVersion: '3',
      addressType: 'IP4',
      address: '198.51.100.2',
    });
    const m = d.media[0];
    assert.equal(m.port, 41000);
    assert.deepEqual(m.payloadTypes, [8, 0, 101]);
    assert.equal(m.fmtp.get(101), '0-15');
    assert.equal(m.ptime, 20);
    assert.equal(m.direction, 'sendrecv');
    assert.equal(d.connection?.address, '198.51.100.2');
  });

  it('writes IPv6 addresses as IN IP6', () => {
    const text = createOffer({
      address: '2001:db8::7',
      port: 41000,
      codecs: ['PCMU'],
      telephoneEvent: false,
      ptime: 40,
      direction: 'recvonly',
    });
    assert.match(text, /^o=partyline \d+ 1 IN IP6 2001:db8::7\r$/m);
    assert.match(text, /^c=IN IP6 2001:db8::7\r$/m);
    assert.match(text, /^m=audio 41000 RTP\/AVP 0\r$/m);
    assert.match(text, /^a=ptime:40\r$/m);
    assert.match(text, /^a=recvonly\r$/m);
    assert.doesNotMatch(text, /telephone-event/);
  });

  it('refuses bad local configuration loudly (a programming error, not remote input)', () => {
    const base = {
      address: '127.0.0.1',
      port: 4000,
      codecs: ['PCMU' as const],
      telephoneEvent: false,
    };
    assert.throws(() => createOffer({ ...base, address: 'localhost' }), TypeError);
    assert.throws(() => createOffer({ ...base, port: 0 }), RangeError);
    assert.throws(() => createOffer({ ...base, port: 70000 }), RangeError);
    assert.throws(() => createOffer({ ...base, codecs: [] }), TypeError);
    assert.throws(() => createOffer({ ...base, ptime: 5 }), RangeError);
    assert.throws(() => createOffer({ ...base, sessionVersion: 'x' }), RangeError);
  });
});

describe('negotiateAnswer', () => {
  it('answers our own offer: round trip through readAnswer', () => {
    const offer = createOffer({
      address: '198.51.100.2',
      port: 41000,
      codecs: ['PCMU', 'PCMA'],
      telephoneEvent: true,
    });
    const { text, media } = answered(offer);
    const names = (m: NegotiatedMedia) =>
      (m.receiveCodecs ?? []).map((c) => `${c.payloadType} ${c.codec.name}`);
    assert.deepEqual(
      { ...media, codec: media.codec.name, receiveCodecs: names(media) },
      {
        remoteAddress: '198.51.100.2',
        remotePort: 41000,
        remoteRtcpPort: 41001,
        codec: 'PCMU',
        payloadType: 0,
        telephoneEventPt: 101,
        receiveCodecs: ['0 PCMU', '8 PCMA'],
        receiveTelephoneEventPt: 101,
        ptime: 20,
        direction: 'sendrecv',
        remoteDirection: 'sendrecv',
      },
    );
    const uac = read(offer, text);
    assert.deepEqual(
      { ...uac, codec: uac.codec.name, receiveCodecs: names(uac) },
      {
        remoteAddress: '203.0.113.5',
        remotePort: 40000,
        remoteRtcpPort: 40001,
        codec: 'PCMU',
        payloadType: 0,
        telephoneEventPt: 101,
        receiveCodecs: ['0 PCMU', '8 PCMA'],
        receiveTelephoneEventPt: 101,
        ptime: 20,
        direction: 'sendrecv',
        remoteDirection: 'sendrecv',
      },
    );
  });

  it("chooses the offerer's first codec that we support, whatever our order", () => {
    const offer = sdp(...HEAD, 'm=audio 5000 RTP/AVP 18 8 0', 'a=rtpmap:18 G729/8000');
    assert.equal(answered(offer, { codecs: ['PCMU', 'PCMA'] }).media.codec.name, 'PCMA');
    assert.equal(answered(offer, { codecs: ['PCMU'] }).media.codec.name, 'PCMU');
  });

  it('answers a PCMA-only offer with PCMA alone', () => {
    const offer = sdp(...HEAD, 'm=audio 5000 RTP/AVP 8', 'a=rtpmap:8 PCMA/8000');
    const { answer, media } = answered(offer);
    assert.equal(media.codec.name, 'PCMA');
    assert.equal(media.payloadType, 8);
    assert.deepEqual(answer.media[0].payloadTypes, [8]);
  });

  it('no common codec → no-common-codec (the SIP layer answers 488)', () => {
    const offer = sdp(
      ...HEAD,
      'm=audio 5000 RTP/AVP 18 9 101',
      'a=rtpmap:18 G729/8000',
      'a=rtpmap:9 G722/8000',
      'a=rtpmap:101 telephone-event/8000',
    );
    const e = refused(offer, 'no-common-codec');
    assert.match(e.message, /PCMU, PCMA/);
    refused(sdp(...HEAD, 'm=audio 5000 RTP/AVP 8'), 'no-common-codec', { codecs: ['PCMU'] });
    // PCMU at another rate or in stereo is not the G.711 we run.
    refused(sdp(...HEAD, 'm=audio 5000 RTP/AVP 96', 'a=rtpmap:96 PCMU/16000'), 'no-common-codec');
    refused(sdp(...HEAD, 'm=audio 5000 RTP/AVP 96', 'a=rtpmap:96 PCMU/8000/2'), 'no-common-codec');
  });

  it('decodes the other offered G.711 formats we accept too, the chosen one first', () => {
    const offer = sdp(...HEAD, 'm=audio 5000 RTP/AVP 18 8 0', 'a=rtpmap:18 G729/8000');
    const { media } = answered(offer, { codecs: ['PCMU', 'PCMA'] });
    assert.deepEqual(
      (media.receiveCodecs ?? []).map((c) => [c.payloadType, c.codec.name]),
      [
        [8, 'PCMA'],
        [0, 'PCMU'],
      ],
    );
    const only = answered(offer, { codecs: ['PCMA'] }).media;
    assert.deepEqual(
      (only.receiveCodecs ?? []).map((c) => c.payloadType),
      [8],
    );
  });

  it('keeps dynamic payload numbers as offered (telephone-event 96, PCMU as 110)', () => {
    const offer = sdp(
      ...HEAD,
      'm=audio 5000 RTP/AVP 110 96',
      'a=rtpmap:110 pcmu/8000',
      'a=rtpmap:96 telephone-event/8000',
      'a=fmtp:96 0-16',
    );
    const { answer, media } = answered(offer);
    assert.equal(media.codec.name, 'PCMU');
    assert.equal(media.payloadType, 110);
    assert.equal(media.telephoneEventPt, 96);
    assert.deepEqual(answer.media[0].payloadTypes, [110, 96]);
    assert.equal(answer.media[0].fmtp.get(96), '0-15');
  });

  it('telephone-event: only at 8000 Hz, only with DTMF events, only when we want it', () => {
    const at48k = sdp(...HEAD, 'm=audio 5000 RTP/AVP 0 97', 'a=rtpmap:97 telephone-event/48000');
    assert.equal(answered(at48k).media.telephoneEventPt, null);
    const noDtmf = sdp(
      ...HEAD,
      'm=audio 5000 RTP/AVP 0 101',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 32-41',
    );
    assert.equal(answered(noDtmf).media.telephoneEventPt, null);
    const partial = sdp(
      ...HEAD,
      'm=audio 5000 RTP/AVP 0 101',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-11,16',
    );
    assert.equal(answered(partial).answer.media[0].fmtp.get(101), '0-11');
    const noFmtp = sdp(...HEAD, 'm=audio 5000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000');
    assert.equal(answered(noFmtp).answer.media[0].fmtp.get(101), '0-15');
    const { answer, media } = answered(noFmtp, { telephoneEvent: false });
    assert.equal(media.telephoneEventPt, null);
    assert.deepEqual(answer.media[0].payloadTypes, [0]);
  });

  describe('direction (RFC 3264 §6.1) for every offered direction × our wish', () => {
    const expected: Record<Direction, Record<Direction, Direction>> = {
      // offered →      our wish: sendrecv,  sendonly,   recvonly,   inactive
      sendrecv: {
        sendrecv: 'sendrecv',
        sendonly: 'sendonly',
        recvonly: 'recvonly',
        inactive: 'inactive',
      },
      sendonly: {
        sendrecv: 'recvonly',
        sendonly: 'inactive',
        recvonly: 'recvonly',
        inactive: 'inactive',
      },
      recvonly: {
        sendrecv: 'sendonly',
        sendonly: 'sendonly',
        recvonly: 'inactive',
        inactive: 'inactive',
      },
      inactive: {
        sendrecv: 'inactive',
        sendonly: 'inactive',
        recvonly: 'inactive',
        inactive: 'inactive',
      },
    };
    for (const [offered, row] of Object.entries(expected) as [
      Direction,
      Record<Direction, Direction>,
    ][]) {
      for (const [wish, result] of Object.entries(row) as [Direction, Direction][]) {
        it(`offer ${offered}, we want ${wish} → ${result}`, () => {
          const offer = sdp(...HEAD, 'm=audio 5000 RTP/AVP 0', `a=${offered}`);
          const { answer, media } = answered(offer, { direction: wish });
          assert.equal(media.direction, result);
          assert.equal(media.remoteDirection, offered);
          assert.equal(answer.media[0].direction, result);
          // And the offerer reads back the mirror image of our direction, within what it offered.
          const back = read(offer, negotiateAnswerText(offer, wish));
          assert.equal(back.remoteDirection, result);
        });
      }
    }
  });

  it('old-style hold c=0.0.0.0 (RFC 2543): the peer receives nothing, we never send', () => {
    const offer = sdp(
      'v=0',
      'o=peer 1 2 IN IP4 192.0.2.1',
      's=-',
      'c=IN IP4 0.0.0.0',
      't=0 0',
      'm=audio 5000 RTP/AVP 0',
    );
    const { media } = answered(offer);
    assert.equal(media.remoteDirection, 'sendonly');
    assert.equal(media.direction, 'recvonly');
  });

  it('ptime: honoured (30, 40), default 20, bounded by maxptime and 10..200', () => {
    const withPtime = (...extra: string[]): string =>
      sdp(...HEAD, 'm=audio 5000 RTP/AVP 0', ...extra);
    for (const p of [30, 40]) {
      const { answer, media } = answered(withPtime(`a=ptime:${p}`));
      assert.equal(media.ptime, p);
      assert.equal(answer.media[0].ptime, p);
    }
    assert.equal(answered(withPtime()).media.ptime, 20);
    assert.equal(answered(withPtime(), { ptime: 30 }).media.ptime, 30);
    assert.equal(answered(withPtime('a=ptime:60', 'a=maxptime:40')).media.ptime, 40);
    assert.equal(answered(withPtime('a=ptime:1000')).media.ptime, 200);
    assert.equal(answered(withPtime('a=ptime:5')).media.ptime, 10);
  });

  it('answers extra and unusable m-lines with port 0, same count and order (RFC 3264 §6)', () => {
    const offer = sdp(
      ...HEAD,
      'm=video 5004 RTP/AVP 96',
      'a=rtpmap:96 H264/90000',
      'm=audio 5006 RTP/SAVP 0',
      'm=audio 5000 RTP/AVP 0 101',
      'a=rtpmap:101 telephone-event/8000',
      'm=audio 5002 RTP/AVP 8',
    );
    const { answer, media } = answered(offer);
    assert.deepEqual(
      answer.media.map((m) => `${m.type} ${m.port} ${m.protocol} ${m.formats.join(' ')}`),
      [
        'video 0 RTP/AVP 96',
        'audio 0 RTP/SAVP 0',
        'audio 40000 RTP/AVP 0 101',
        'audio 0 RTP/AVP 8',
      ],
    );
    assert.equal(media.remotePort, 5000);
  });

  it('an offer whose audio is all rejected, or only over SRTP, cannot be answered', () => {
    refused(sdp(...HEAD, 'm=audio 0 RTP/AVP 0'), 'no-audio');
    refused(sdp(...HEAD, 'm=audio 5000 RTP/SAVP 0'), 'unsupported-transport');
  });

  it('connection from the session level or the media level, IPv6 included', () => {
    const mediaLevel = sdp(...HEAD, 'm=audio 5000 RTP/AVP 0', 'c=IN IP4 198.51.100.7');
    assert.equal(answered(mediaLevel).media.remoteAddress, '198.51.100.7');
    const sessionLevel = sdp(...HEAD, 'm=audio 5000 RTP/AVP 0');
    assert.equal(answered(sessionLevel).media.remoteAddress, '192.0.2.1');
    const v6 = sdp(
      'v=0',
      'o=- 1 1 IN IP6 ::1',
      's=-',
      'c=IN IP6 ::1',
      't=0 0',
      'm=audio 5000 RTP/AVP 0',
    );
    const { text, media } = answered(v6, { address: '::1' });
    assert.equal(media.remoteAddress, '::1');
    assert.match(text, /^c=IN IP6 ::1\r$/m);
  });

  it('RTCP port: a=rtcp, rtcp-mux (accepted in the answer), else RTP + 1', () => {
    const rtcp = sdp(...HEAD, 'm=audio 5000 RTP/AVP 0', 'a=rtcp:5053');
    assert.equal(answered(rtcp).media.remoteRtcpPort, 5053);
    const mux = sdp(...HEAD, 'm=audio 5000 RTP/AVP 0', 'a=rtcp-mux');
    const r = answered(mux);
    assert.equal(r.media.remoteRtcpPort, 5000);
    assert.equal(r.answer.media[0].rtcpMux, true);
    assert.equal(answered(sdp(...HEAD, 'm=audio 5000 RTP/AVP 0')).media.remoteRtcpPort, 5001);
  });

  it('answers the SIPp and baresip offers', () => {
    const sipp = answered(fixture('sipp-uac-offer.sdp'));
    assert.equal(sipp.media.codec.name, 'PCMU');
    assert.equal(sipp.media.remotePort, 6000);
    assert.equal(sipp.media.telephoneEventPt, null);
    const baresip = answered(fixture('baresip-offer.sdp'), { codecs: ['PCMA'] });
    assert.equal(baresip.media.codec.name, 'PCMA');
    assert.equal(baresip.media.telephoneEventPt, 101);
    assert.equal(baresip.media.remoteAddress, '192.0.2.2');
  });

  it('garbage offers come back as errors, never exceptions', () => {
    for (const g of ['', 'INVITE sip:x SIP/2.0', '\u0000\u0001', 'v=0\r\n']) {
      const r = negotiateAnswer(g, LOCAL);
      assert.ok('error' in r && r.error instanceof SdpError);
    }
  });

  it('writes the o= id and version it is given', () => {
    const { answer } = answered(sdp(...HEAD, 'm=audio 5000 RTP/AVP 0'), {
      sessionId: '555',
      sessionVersion: '9',
    });
    assert.equal(answer.origin.sessionId, '555');
    assert.equal(answer.origin.sessionVersion, '9');
  });
});

function negotiateAnswerText(offer: string, wish: Direction): string {
  const r = negotiateAnswer(offer, { ...LOCAL, direction: wish });
  if ('error' in r) assert.fail(r.error.message);
  return r.answer;
}

describe('readAnswer', () => {
  const offer = createOffer({
    address: '198.51.100.2',
    port: 41000,
    codecs: ['PCMU', 'PCMA'],
    telephoneEvent: true,
  });

  it('sends with the codec and numbers the answer lists first, and its ptime', () => {
    const answer = sdp(
      ...HEAD,
      'm=audio 6000 RTP/AVP 8 0 101',
      'a=rtpmap:101 telephone-event/8000',
      'a=ptime:30',
    );
    const m = read(offer, answer);
    assert.equal(m.codec.name, 'PCMA');
    assert.equal(m.payloadType, 8);
    assert.equal(m.telephoneEventPt, 101);
    assert.equal(m.ptime, 30);
    assert.equal(m.remotePort, 6000);
  });

  it('receives every format of our offer, and telephone-event under our own number (RFC 3264 §5.1, §6.1)', () => {
    const answer = sdp(...HEAD, 'm=audio 6000 RTP/AVP 8 96', 'a=rtpmap:96 telephone-event/8000');
    const m = read(offer, answer);
    assert.equal(m.telephoneEventPt, 96, 'we send events with the number the answer lists');
    assert.equal(m.receiveTelephoneEventPt, 101, 'the peer sends them with the number we offered');
    assert.deepEqual(
      (m.receiveCodecs ?? []).map((c) => [c.payloadType, c.codec.name]),
      [
        [8, 'PCMA'],
        [0, 'PCMU'],
      ],
    );
  });

  it('no telephone-event in the answer → none', () => {
    assert.equal(read(offer, sdp(...HEAD, 'm=audio 6000 RTP/AVP 0')).telephoneEventPt, null);
  });

  it('rejected stream, missing m-line, codec never offered, garbage', () => {
    const err = (answer: string, code: SdpErrorCode): void => {
      const r = readAnswer(offer, answer);
      assert.ok(r instanceof SdpError);
      assert.equal(r.code, code, r.message);
    };
    err(sdp(...HEAD, 'm=audio 0 RTP/AVP 0'), 'rejected');
    err(sdp(...HEAD, 'm=video 6000 RTP/AVP 96', 'm=audio 6002 RTP/AVP 0'), 'answer-mismatch');
    err(sdp(...HEAD, 'm=audio 6000 RTP/AVP 18', 'a=rtpmap:18 G729/8000'), 'answer-mismatch');
    const pcmaOnly = createOffer({
      address: '198.51.100.2',
      port: 41000,
      codecs: ['PCMA'],
      telephoneEvent: false,
    });
    const r = readAnswer(pcmaOnly, sdp(...HEAD, 'm=audio 6000 RTP/AVP 0'));
    assert.ok(r instanceof SdpError && r.code === 'answer-mismatch');
    err('garbage', 'not-sdp');
    err(sdp(...HEAD, 'm=audio 6000 RTP/AVP 0', 'c=IN IP4 example.net'), 'bad-connection');
  });

  it('ignores rtcp-mux in an answer to an offer without it', () => {
    assert.equal(
      read(offer, sdp(...HEAD, 'm=audio 6000 RTP/AVP 0', 'a=rtcp-mux')).remoteRtcpPort,
      6001,
    );
  });
});

describe('holdOffer / unholdOffer (RFC 3264 §8.4)', () => {
  it('hold: sendonly and version + 1; unhold: sendrecv and version + 1 again; the rest unchanged', () => {
    const first = createOffer({
      address: '198.51.100.2',
      port: 41000,
      codecs: ['PCMU'],
      telephoneEvent: true,
      sessionId: '42',
      sessionVersion: '7',
    });
    const held = holdOffer(first);
    assert.equal(typeof held, 'string');
    const h = parseSdp(held as string);
    assert.ok(!(h instanceof SdpError));
    assert.equal(h.origin.sessionId, '42');
    assert.equal(h.origin.sessionVersion, '8');
    assert.equal(h.media[0].direction, 'sendonly');
    assert.equal((held as string).match(/^a=(sendrecv|sendonly|recvonly|inactive)/gm)?.length, 1);
    assert.deepEqual(h.media[0].payloadTypes, [0, 101]);

    const resumed = unholdOffer(held as string);
    const u = parseSdp(resumed as string);
    assert.ok(!(u instanceof SdpError));
    assert.equal(u.origin.sessionVersion, '9');
    assert.equal(u.media[0].direction, 'sendrecv');
    assert.equal(
      (resumed as string).replace(/^o=.*$/m, '').replace(/^a=sendrecv.*$/m, ''),
      first.replace(/^o=.*$/m, '').replace(/^a=sendrecv.*$/m, ''),
    );
  });

  it('hold from recvonly is inactive; the answer to a hold offer is recvonly', () => {
    const recvonly = createOffer({
      address: '198.51.100.2',
      port: 41000,
      codecs: ['PCMU'],
      telephoneEvent: false,
      direction: 'recvonly',
    });
    const h = parseSdp(holdOffer(recvonly) as string);
    assert.ok(!(h instanceof SdpError));
    assert.equal(h.media[0].direction, 'inactive');

    const hold = holdOffer(
      createOffer({
        address: '198.51.100.2',
        port: 41000,
        codecs: ['PCMU'],
        telephoneEvent: false,
      }),
    ) as string;
    const { media } = answered(hold);
    assert.equal(media.direction, 'recvonly');
    assert.equal(media.remoteDirection, 'sendonly');
  });

  it('increments 64-bit versions exactly and keeps rejected m-lines and session-level directions sensible', () => {
    const prev = sdp(
      'v=0',
      'o=partyline 1 18446744073709551615 IN IP4 192.0.2.1',
      's=-',
      'c=IN IP4 192.0.2.1',
      't=0 0',
      'a=sendrecv',
      'm=video 0 RTP/AVP 96',
      'm=audio 5000 RTP/AVP 0',
    );
    const held = holdOffer(prev) as string;
    const h = parseSdp(held);
    assert.ok(!(h instanceof SdpError));
    assert.equal(h.origin.sessionVersion, '18446744073709551616');
    assert.deepEqual(
      h.media.map((m) => `${m.type} ${m.port} ${m.direction}`),
      ['video 0 sendrecv', 'audio 5000 sendonly'],
    );
  });

  it('returns an SdpError for a previous body that is not SDP', () => {
    assert.ok(holdOffer('nonsense') instanceof SdpError);
    assert.ok(unholdOffer('') instanceof SdpError);
  });
});
