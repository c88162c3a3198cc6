/** Which part of a body is the session description (RFC 3261 §20.15, §20.11; RFC 5621; RFC 3959). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Headers, SipResponse } from '../../../src/sip/message/index.js';
import { sdpOf, unreadableBody } from '../../../src/sip/ua/session-body.js';

const SDP = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

function message(contentType: string | undefined, body: string): SipResponse {
  const h = new Headers();
  if (contentType !== undefined) h.append('Content-Type', contentType);
  return new SipResponse(200, 'OK', h, Buffer.from(body));
}

function multipart(...parts: [string, string][]): string {
  return (
    parts.map(([headers, body]) => `--B\r\n${headers}\r\n\r\n${body}\r\n`).join('') + '--B--\r\n'
  );
}

describe('sdpOf', () => {
  it('an application/sdp body, and (leniently) an untyped one', () => {
    assert.equal(sdpOf(message('Application/SDP; charset=utf-8', SDP)), SDP);
    assert.equal(sdpOf(message(undefined, SDP)), SDP);
    assert.equal(sdpOf(message('application/sdp', '')), null);
  });

  it('a body of another type is never SDP, however it reads', () => {
    for (const t of ['application/isup', 'text/plain', 'application/sdp-not', 'multipart/mixed'])
      assert.equal(sdpOf(message(t, SDP)), null, t);
  });

  it('the SDP part of a multipart/mixed, whatever its position', () => {
    const body = multipart(
      [
        'Content-Type: application/isup;version=itu-t92+\r\nContent-Disposition: signal;handling=optional',
        '\x01\x00',
      ],
      ['Content-Type: application/sdp', SDP],
    );
    assert.equal(sdpOf(message('multipart/mixed;boundary=B', body)), SDP);
  });

  it('an early-session SDP part (RFC 3959) is not the session; a session one is', () => {
    const early = [
      'Content-Type: application/sdp\r\nContent-Disposition: early-session',
      'v=0\r\ns=early\r\n',
    ] as [string, string];
    assert.equal(sdpOf(message('multipart/mixed;boundary=B', multipart(early))), null);
    const both = multipart(early, [
      'Content-Type: application/sdp\r\nContent-Disposition: session',
      SDP,
    ]);
    assert.equal(sdpOf(message('multipart/mixed;boundary=B', both)), SDP);
  });
});

describe('unreadableBody', () => {
  it('fine: no body, SDP, SDP with an optional or undispositioned ISUP part', () => {
    assert.equal(unreadableBody(message(undefined, '')), null);
    assert.equal(unreadableBody(message('application/sdp', SDP)), null);
    const body = multipart(
      ['Content-Type: application/sdp', SDP],
      ['Content-Type: application/isup', '\x01'],
    );
    assert.equal(unreadableBody(message('multipart/mixed;boundary=B', body)), null);
  });

  it('refused: no SDP at all, or a required part we do not understand (RFC 5621 §9)', () => {
    assert.match(unreadableBody(message('application/isup', SDP)) ?? '', /no application\/sdp/);
    const required = multipart(
      ['Content-Type: application/sdp', SDP],
      ['Content-Type: application/isup\r\nContent-Disposition: signal;handling=required', '\x01'],
    );
    assert.match(
      unreadableBody(message('multipart/mixed;boundary=B', required)) ?? '',
      /required body part application\/isup/,
    );
  });
});
