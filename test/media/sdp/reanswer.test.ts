import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createOffer,
  holdOffer,
  negotiateAnswer,
  parseSdp,
  reanswer,
  reoffer,
  SdpError,
  unholdOffer,
  type AnswerOptions,
  type Direction,
  type NegotiatedMedia,
  type ParsedSdp,
} from '../../../src/media/sdp/index.js';

const sdp = (...lines: string[]): string => `${lines.join('\r\n')}\r\n`;

const LOCAL: AnswerOptions = {
  address: '203.0.113.5',
  port: 40000,
  codecs: ['PCMU', 'PCMA'],
  telephoneEvent: true,
};

/** The peer's offer, version `version` of its session, with `direction` on the audio stream. */
function peerOffer(version: number, direction: Direction, extra: string[] = []): string {
  return sdp(
    'v=0',
    `o=peer 77 ${version} IN IP4 192.0.2.1`,
    's=-',
    'c=IN IP4 192.0.2.1',
    't=0 0',
    'm=audio 5000 RTP/AVP 0 8 101',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
    `a=${direction}`,
    ...extra,
  );
}

function parsed(text: string): ParsedSdp {
  const d = parseSdp(text);
  if (d instanceof SdpError) assert.fail(`does not parse: ${d.message}`);
  return d;
}

function ok(r: ReturnType<typeof reanswer>): { answer: string; media: NegotiatedMedia } {
  if ('error' in r) assert.fail(`unexpected ${r.error.code}: ${r.error.message}`);
  return r;
}

/** The o= line without its version: what RFC 3264 §8 keeps identical. */
function originWithoutVersion(text: string): string {
  const o = parsed(text).origin;
  return [o.username, o.sessionId, o.addressType, o.address].join(' ');
}

function firstAnswer(): string {
  const r = negotiateAnswer(peerOffer(1, 'sendrecv'), {
    ...LOCAL,
    sessionId: '4242',
    sessionVersion: '1',
  });
  if ('error' in r) assert.fail(r.error.message);
  return r.answer;
}

describe('reanswer (RFC 3264 §8)', () => {
  it('hold by the peer and back: same o= id, version + 1 each time, directions answered right', () => {
    let previous = firstAnswer();
    const steps: [Direction, Direction, string][] = [
      // peer offers →  we answer,   o= version
      ['sendonly', 'recvonly', '2'],
      ['inactive', 'inactive', '3'],
      ['sendrecv', 'sendrecv', '4'],
      ['recvonly', 'sendonly', '5'],
      ['sendrecv', 'sendrecv', '6'],
    ];
    let peerVersion = 1;
    for (const [offered, answeredDirection, version] of steps) {
      const { answer, media } = ok(reanswer(peerOffer(++peerVersion, offered), previous, LOCAL));
      const d = parsed(answer);
      assert.equal(d.origin.sessionId, '4242', 'our session id is kept');
      assert.equal(d.origin.sessionVersion, version, `${offered} → version ${version}`);
      assert.equal(originWithoutVersion(answer), originWithoutVersion(previous));
      assert.equal(d.media[0].direction, answeredDirection);
      assert.equal(media.direction, answeredDirection);
      assert.equal(media.remoteDirection, offered);
      previous = answer;
    }
  });

  it('an unchanged re-offer (session refresh) gets the previous answer again, same version', () => {
    const first = firstAnswer();
    const again = ok(reanswer(peerOffer(1, 'sendrecv'), first, LOCAL));
    assert.equal(again.answer, first);
    assert.equal(again.media.direction, 'sendrecv');
    // The peer may bump its own version without changing anything: still no change on our side.
    assert.equal(ok(reanswer(peerOffer(2, 'sendrecv'), first, LOCAL)).answer, first);
    // A real change in what we answer (a new port of ours) is a new version.
    const moved = ok(reanswer(peerOffer(3, 'sendrecv'), first, { ...LOCAL, port: 40010 }));
    assert.equal(parsed(moved.answer).origin.sessionVersion, '2');
    assert.equal(parsed(moved.answer).media[0].port, 40010);
  });

  it('increments 64-bit versions exactly', () => {
    for (const [from, to] of [
      ['18446744073709551615', '18446744073709551616'],
      ['9007199254740993', '9007199254740994'],
      ['99999999999999999999', '100000000000000000000'],
    ]) {
      const previous = firstAnswer().replace(/^o=(\S+) (\S+) \d+/m, `o=$1 $2 ${from}`);
      const { answer } = ok(reanswer(peerOffer(2, 'sendonly'), previous, LOCAL));
      assert.equal(parsed(answer).origin.sessionVersion, to);
      assert.match(answer, new RegExp(`^o=partyline 4242 ${to} IN IP4 203\\.0\\.113\\.5\\r$`, 'm'));
    }
  });

  it('continues from our offer when we started the session (we were the UAC)', () => {
    const ourOffer = createOffer({
      address: '203.0.113.5',
      port: 40000,
      codecs: ['PCMU', 'PCMA'],
      telephoneEvent: true,
      sessionId: '31337',
      sessionVersion: '5',
    });
    const { answer, media } = ok(reanswer(peerOffer(2, 'sendonly'), ourOffer, LOCAL));
    const d = parsed(answer);
    assert.equal(d.origin.sessionId, '31337');
    assert.equal(d.origin.sessionVersion, '6');
    assert.deepEqual(d.media[0].payloadTypes, [0, 101], 'an answer: one codec and DTMF');
    assert.equal(media.direction, 'recvonly');
  });

  it('keeps the o= line verbatim, whatever id and address the previous SDP had', () => {
    const previous = firstAnswer().replace(
      /^o=.*$/m,
      'o=partyline 123456789012345678901 7 IN IP4 198.51.100.9',
    );
    const { answer } = ok(reanswer(peerOffer(2, 'inactive'), previous, LOCAL));
    assert.match(answer, /^o=partyline 123456789012345678901 8 IN IP4 198\.51\.100\.9\r$/m);
    // Our RTP address in c= is today's, as given.
    assert.equal(parsed(answer).connection?.address, '203.0.113.5');
  });

  it('ignores local.sessionId / sessionVersion: ours come from the previous SDP', () => {
    const { answer } = ok(
      reanswer(peerOffer(2, 'sendonly'), firstAnswer(), {
        ...LOCAL,
        sessionId: '1',
        sessionVersion: '1000',
      }),
    );
    assert.equal(parsed(answer).origin.sessionId, '4242');
    assert.equal(parsed(answer).origin.sessionVersion, '2');
  });

  it('our own wish still applies: while we hold the peer (sendonly), its sendrecv gets sendonly', () => {
    const { media, answer } = ok(
      reanswer(peerOffer(2, 'sendrecv'), firstAnswer(), { ...LOCAL, direction: 'sendonly' }),
    );
    assert.equal(media.direction, 'sendonly');
    assert.equal(parsed(answer).media[0].direction, 'sendonly');
  });

  it('old-style hold c=0.0.0.0 (RFC 2543): the peer receives nothing, we answer recvonly', () => {
    const offer = peerOffer(2, 'sendrecv').replace(/^c=IN IP4 192\.0\.2\.1/m, 'c=IN IP4 0.0.0.0');
    const { media, answer } = ok(reanswer(offer, firstAnswer(), LOCAL));
    assert.equal(media.remoteDirection, 'sendonly');
    assert.equal(media.direction, 'recvonly');
    assert.equal(parsed(answer).origin.sessionVersion, '2');
  });

  it('a re-offer we cannot take, or an unusable previous SDP, is an error, never an exception', () => {
    const g729 = sdp(
      'v=0',
      'o=peer 77 2 IN IP4 192.0.2.1',
      's=-',
      'c=IN IP4 192.0.2.1',
      't=0 0',
      'm=audio 5000 RTP/AVP 18',
      'a=rtpmap:18 G729/8000',
    );
    const r = reanswer(g729, firstAnswer(), LOCAL);
    assert.ok('error' in r && r.error.code === 'no-common-codec');
    for (const garbage of ['', 'v=0\r\n', 'hello']) {
      const bad = reanswer(garbage, firstAnswer(), LOCAL);
      assert.ok('error' in bad && bad.error instanceof SdpError);
    }
    const noPrevious = reanswer(peerOffer(2, 'sendrecv'), 'nonsense', LOCAL);
    assert.ok('error' in noPrevious);
    assert.equal(noPrevious.error.code, 'not-sdp');
    assert.match(noPrevious.error.message, /previous SDP/);
  });
});

describe('reoffer (RFC 3264 §8) and hold / unhold versions', () => {
  const first = createOffer({
    address: '198.51.100.2',
    port: 41000,
    codecs: ['PCMU'],
    telephoneEvent: true,
    sessionId: '42',
    sessionVersion: '7',
  });

  it('sets every active audio stream to the direction, same id, version + 1', () => {
    for (const direction of ['inactive', 'sendonly', 'recvonly'] as const) {
      const text = reoffer(first, direction);
      assert.equal(typeof text, 'string');
      const d = parsed(text as string);
      assert.equal(d.origin.sessionId, '42');
      assert.equal(d.origin.sessionVersion, '8');
      assert.equal(d.media[0].direction, direction);
      assert.equal(originWithoutVersion(text as string), originWithoutVersion(first));
    }
  });

  it('changes nothing → the previous SDP itself, same version (hold twice, unhold twice)', () => {
    assert.equal(reoffer(first, 'sendrecv'), first);
    const held = holdOffer(first) as string;
    assert.equal(parsed(held).origin.sessionVersion, '8');
    assert.equal(holdOffer(held), held);
    const resumed = unholdOffer(held) as string;
    assert.equal(parsed(resumed).origin.sessionVersion, '9');
    assert.equal(unholdOffer(resumed), resumed);
  });

  it('increments a 64-bit version exactly', () => {
    const big = first.replace(/^o=(\S+) (\S+) \d+/m, 'o=$1 $2 18446744073709551615');
    assert.equal(
      parsed(reoffer(big, 'inactive') as string).origin.sessionVersion,
      '18446744073709551616',
    );
  });

  it('a previous body that is not SDP is an SdpError; a bad direction is a TypeError (our bug)', () => {
    assert.ok(reoffer('nonsense', 'inactive') instanceof SdpError);
    assert.throws(() => reoffer(first, 'hold' as Direction), TypeError);
  });
});
