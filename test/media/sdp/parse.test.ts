import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  parseSdp,
  SdpError,
  type ParsedSdp,
  type SdpErrorCode,
} from '../../../src/media/sdp/index.js';
import { mutate, seededRng } from '../../support/mutator.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function ok(text: string): ParsedSdp {
  const r = parseSdp(text);
  if (r instanceof SdpError) assert.fail(`unexpected SdpError ${r.code}: ${r.message}`);
  return r;
}

function fails(text: unknown, code: SdpErrorCode): SdpError {
  const r = parseSdp(text);
  assert.ok(r instanceof SdpError, `expected SdpError ${code}, got a description`);
  assert.equal(r.code, code, r.message);
  assert.ok(r.message.length > 0);
  return r;
}

const sdp = (...lines: string[]): string => `${lines.join('\r\n')}\r\n`;
const HEAD = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0'];

describe('parseSdp: real offers', () => {
  it('reads the INVITE body SIPp 3.6 sends with -sn uac', () => {
    const d = ok(fixture('sipp-uac-offer.sdp'));
    assert.deepEqual(d.origin, {
      username: 'user1',
      sessionId: '53655765',
      sessionVersion: '2353687637',
      addressType: 'IP4',
      address: '127.0.0.1',
    });
    assert.deepEqual(d.connection, { addressType: 'IP4', address: '127.0.0.1' });
    assert.equal(d.media.length, 1);
    const m = d.media[0];
    assert.equal(m.type, 'audio');
    assert.equal(m.port, 6000);
    assert.equal(m.protocol, 'RTP/AVP');
    assert.deepEqual(m.payloadTypes, [0]);
    assert.deepEqual(m.rtpmaps, [
      { payloadType: 0, encodingName: 'PCMU', clockRate: 8000, channels: 1 },
    ]);
    assert.equal(m.direction, 'sendrecv');
    assert.equal(m.ptime, null);
    assert.deepEqual(m.connection, { addressType: 'IP4', address: '127.0.0.1' });
  });

  it("reads baresip 1.0's offer: PCMU, PCMA, telephone-event 101, ptime, rtcp-rsize", () => {
    const d = ok(fixture('baresip-offer.sdp'));
    const m = d.media[0];
    assert.equal(m.port, 35258);
    assert.deepEqual(m.payloadTypes, [0, 8, 101]);
    assert.deepEqual(
      m.rtpmaps.map((r) => `${r.payloadType} ${r.encodingName}/${r.clockRate}`),
      ['0 PCMU/8000', '8 PCMA/8000', '101 telephone-event/8000'],
    );
    assert.equal(m.fmtp.get(101), '0-15');
    assert.equal(m.ptime, 20);
    assert.equal(m.direction, 'sendrecv');
    assert.equal(m.rtcpMux, false);
  });
});

describe('parseSdp: structure', () => {
  it('implies rtpmaps for static payload types 0 and 8 only', () => {
    const d = ok(sdp(...HEAD, 'c=IN IP4 192.0.2.1', 'm=audio 5000 RTP/AVP 8 0 18'));
    assert.deepEqual(
      d.media[0].rtpmaps.map((r) => r.encodingName),
      ['PCMA', 'PCMU'],
    );
    assert.deepEqual(d.media[0].payloadTypes, [8, 0, 18]);
  });

  it('takes the media-level c= over the session-level one, and falls back to the session one', () => {
    const d = ok(
      sdp(
        ...HEAD,
        'c=IN IP4 192.0.2.1',
        'm=audio 5000 RTP/AVP 0',
        'c=IN IP4 198.51.100.7',
        'm=audio 5002 RTP/AVP 0',
      ),
    );
    assert.equal(d.media[0].connection?.address, '198.51.100.7');
    assert.equal(d.media[1].connection?.address, '192.0.2.1');
    assert.equal(d.connection?.address, '192.0.2.1');
  });

  it('accepts a media-level c= with no session-level one', () => {
    const d = ok(sdp(...HEAD, 'm=audio 5000 RTP/AVP 0', 'c=IN IP4 198.51.100.7'));
    assert.equal(d.connection, null);
    assert.equal(d.media[0].connection?.address, '198.51.100.7');
  });

  it('reads IPv6 connection addresses', () => {
    const d = ok(
      sdp(
        'v=0',
        'o=- 7 7 IN IP6 2001:db8::1',
        's=-',
        'c=IN IP6 2001:db8::5',
        't=0 0',
        'm=audio 5000 RTP/AVP 0',
      ),
    );
    assert.deepEqual(d.media[0].connection, { addressType: 'IP6', address: '2001:db8::5' });
    assert.equal(d.origin.addressType, 'IP6');
  });

  it('applies a session-level direction unless the media level overrides it', () => {
    const d = ok(
      sdp(
        ...HEAD,
        'c=IN IP4 192.0.2.1',
        'a=sendonly',
        'm=audio 5000 RTP/AVP 0',
        'm=audio 5002 RTP/AVP 0',
        'a=inactive',
      ),
    );
    assert.equal(d.direction, 'sendonly');
    assert.equal(d.media[0].direction, 'sendonly');
    assert.equal(d.media[1].direction, 'inactive');
  });

  it('reads a=rtcp (RFC 3605) with and without an address, and a=rtcp-mux', () => {
    const d = ok(
      sdp(
        ...HEAD,
        'c=IN IP4 192.0.2.1',
        'm=audio 5000 RTP/AVP 0',
        'a=rtcp:5011',
        'm=audio 5002 RTP/AVP 0',
        'a=rtcp:6001 IN IP4 198.51.100.9',
        'a=rtcp-mux',
      ),
    );
    assert.deepEqual(d.media[0].rtcp, { port: 5011, connection: null });
    assert.deepEqual(d.media[1].rtcp, {
      port: 6001,
      connection: { addressType: 'IP4', address: '198.51.100.9' },
    });
    assert.equal(d.media[1].rtcpMux, true);
  });

  it('keeps 64-bit session ids and versions exactly', () => {
    const d = ok(
      sdp(
        'v=0',
        'o=x 18446744073709551615 18446744073709551614 IN IP4 192.0.2.1',
        's=-',
        'c=IN IP4 192.0.2.1',
        't=0 0',
        'm=audio 1 RTP/AVP 0',
      ),
    );
    assert.equal(d.origin.sessionId, '18446744073709551615');
    assert.equal(d.origin.sessionVersion, '18446744073709551614');
  });

  it('accepts LF-only line ends and a missing final line end', () => {
    const d = ok([...HEAD, 'c=IN IP4 192.0.2.1', 'm=audio 5000 RTP/AVP 0'].join('\n'));
    assert.equal(d.media[0].port, 5000);
  });

  it('does not need a connection for a rejected (port 0) audio stream', () => {
    const d = ok(
      sdp(...HEAD, 'm=audio 0 RTP/AVP 0', 'm=audio 5000 RTP/AVP 0', 'c=IN IP4 192.0.2.1'),
    );
    assert.equal(d.media[0].connection, null);
    assert.equal(d.media[1].connection?.address, '192.0.2.1');
  });

  it('keeps non-audio m-lines (to answer them with port 0)', () => {
    const d = ok(
      sdp(
        ...HEAD,
        'c=IN IP4 192.0.2.1',
        'm=video 5004 RTP/AVP 96',
        'a=rtpmap:96 H264/90000',
        'm=audio 5000 RTP/AVP 0',
      ),
    );
    assert.deepEqual(
      d.media.map((m) => m.type),
      ['video', 'audio'],
    );
    assert.deepEqual(d.media[0].formats, ['96']);
  });
});

describe('parseSdp: errors, never exceptions', () => {
  it('not SDP: empty, non-string, text, HTTP, missing o=', () => {
    fails('', 'not-sdp');
    fails('   \r\n', 'not-sdp');
    fails(undefined, 'not-sdp');
    fails(42, 'not-sdp');
    fails('hello world', 'not-sdp');
    fails('HTTP/1.1 200 OK\r\n\r\n', 'not-sdp');
    fails('v=1\r\no=- 1 1 IN IP4 1.2.3.4\r\n', 'not-sdp');
    fails(sdp('v=0', 's=-', 'c=IN IP4 192.0.2.1', 'm=audio 5000 RTP/AVP 0'), 'not-sdp');
    fails('x'.repeat(70_000), 'not-sdp');
  });

  it('malformed lines', () => {
    fails(sdp(...HEAD, 'this is not a line', 'm=audio 5000 RTP/AVP 0'), 'malformed');
    fails(
      sdp('v=0', 'o=broken', 's=-', 'c=IN IP4 192.0.2.1', 'm=audio 5000 RTP/AVP 0'),
      'malformed',
    );
    fails(sdp(...HEAD, 'c=IN IP4 192.0.2.1', 'm=audio'), 'malformed');
    fails(sdp(...HEAD, 'c=IN IP4 192.0.2.1', 'm=audio port RTP/AVP 0'), 'malformed');
  });

  it('no audio m-line', () => {
    const e = fails(sdp(...HEAD, 'c=IN IP4 192.0.2.1', 'm=video 5000 RTP/AVP 96'), 'no-audio');
    assert.match(e.message, /m=audio/);
    fails(sdp(...HEAD, 'c=IN IP4 192.0.2.1'), 'no-audio');
  });

  it('bad connection: missing, host name, wrong family, multicast, not IN', () => {
    fails(sdp(...HEAD, 'm=audio 5000 RTP/AVP 0'), 'bad-connection');
    const host = fails(
      sdp(...HEAD, 'c=IN IP4 pbx.example.com', 'm=audio 5000 RTP/AVP 0'),
      'bad-connection',
    );
    assert.match(host.message, /not an IP literal/);
    fails(sdp(...HEAD, 'c=IN IP4 ::1', 'm=audio 5000 RTP/AVP 0'), 'bad-connection');
    fails(sdp(...HEAD, 'c=IN IP6 192.0.2.1', 'm=audio 5000 RTP/AVP 0'), 'bad-connection');
    fails(sdp(...HEAD, 'c=IN IP4 224.2.1.1/127', 'm=audio 5000 RTP/AVP 0'), 'bad-connection');
    fails(sdp(...HEAD, 'c=IN IP4 239.1.1.1', 'm=audio 5000 RTP/AVP 0'), 'bad-connection');
    fails(sdp(...HEAD, 'c=ATM NSAP 47.0091', 'm=audio 5000 RTP/AVP 0'), 'bad-connection');
    fails(sdp(...HEAD, 'c=IN IP4 999.1.1.1', 'm=audio 5000 RTP/AVP 0'), 'bad-connection');
  });

  it('port out of range, port counts, bad a=rtcp port', () => {
    const e = fails(sdp(...HEAD, 'c=IN IP4 192.0.2.1', 'm=audio 65536 RTP/AVP 0'), 'bad-port');
    assert.match(e.message, /65536/);
    fails(sdp(...HEAD, 'c=IN IP4 192.0.2.1', 'm=audio 5000/2 RTP/AVP 0'), 'bad-port');
    fails(sdp(...HEAD, 'c=IN IP4 192.0.2.1', 'm=audio 5000 RTP/AVP 0', 'a=rtcp:70000'), 'bad-port');
  });

  it('survives 5 000 seeded mutations of real offers without throwing', () => {
    const seeds = [fixture('sipp-uac-offer.sdp'), fixture('baresip-offer.sdp')];
    const rng = seededRng(0x5d9);
    let errors = 0;
    for (let i = 0; i < 5000; i++) {
      const input = mutate(Buffer.from(seeds[i % seeds.length]), rng).toString('latin1');
      const r = parseSdp(input);
      if (r instanceof SdpError) {
        // The defensive catch-all must never be what answered: every rejection is a reasoned one.
        assert.doesNotMatch(r.message, /^unparseable SDP/, `mutant ${i}: ${r.message}`);
        errors++;
      } else assert.ok(r.media.some((m) => m.type === 'audio'));
    }
    // The mutants must actually exercise the error paths, not only the happy one.
    assert.ok(errors > 100, `only ${errors} of 5000 mutants were rejected`);
  });
});
