import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMessage, type SipRequest } from '../../../src/sip/message/index.js';
import {
  ALLOW,
  methodNotAllowed,
  optionsResponse,
  refuseBody,
  refuseRequest,
} from '../../../src/sip/ua/out-of-dialog.js';
import { requestText } from '../transport/support.js';

function request(opts: {
  method?: string;
  uri?: string;
  extra?: string[];
  body?: string;
}): SipRequest {
  const text = requestText({
    method: opts.method ?? 'INVITE',
    uri: opts.uri,
    via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1',
    extraHeaders: opts.extra,
    body: opts.body,
  });
  const r = parseMessage(text);
  assert.ok(r.ok && r.message.kind === 'request');
  return r.message;
}

describe('out-of-dialog answers (RFC 3261 §8.2)', () => {
  it('lets sip:, sips: and tel: Request-URIs through and refuses others with 416', () => {
    assert.equal(refuseRequest(request({})), undefined);
    assert.equal(refuseRequest(request({ uri: 'tel:+14155550100' })), undefined);
    const res = refuseRequest(request({ uri: 'mailto:bob@example.com' }));
    assert.equal(res?.status, 416);
    assert.ok(res.to().params.get('tag'), 'our response carries a To tag (§8.2.6.2)');
  });

  it('answers 420 naming every Require option tag we do not support (timer we do, RFC 4028)', () => {
    const res = refuseRequest(request({ extra: ['Require: 100rel, timer, foo'] }));
    assert.equal(res?.status, 420);
    assert.equal(res.headers.get('unsupported'), '100rel, foo');
    assert.equal(refuseRequest(request({ extra: ['Require: timer'] })), undefined);
  });

  it('refuses a non-SDP body with 415 and takes SDP or no body', () => {
    assert.equal(refuseBody(request({})), undefined);
    const sdp = request({ extra: ['Content-Type: application/SDP; charset=x'], body: 'v=0\r\n' });
    assert.equal(refuseBody(sdp), undefined);
    const res = refuseBody(request({ extra: ['Content-Type: text/plain'], body: 'hi' }));
    assert.equal(res?.status, 415);
    assert.equal(res.headers.get('accept'), 'application/sdp, multipart/mixed');
  });

  it('answers OPTIONS with what we are and accept, and unknown methods with 405 and Allow', () => {
    const options = optionsResponse(request({ method: 'OPTIONS' }), 'Partyline/test');
    assert.equal(options.status, 200);
    assert.equal(options.headers.get('allow'), ALLOW);
    assert.equal(options.headers.get('accept'), 'application/sdp, multipart/mixed');
    assert.equal(options.headers.get('server'), 'Partyline/test');
    const res = methodNotAllowed(request({ method: 'SUBSCRIBE' }));
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), ALLOW);
  });
});
