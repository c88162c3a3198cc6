import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Headers } from '../../../src/sip/message/index.js';
import { buildBadRequest, reasonPhrase } from '../../../src/sip/transport/bad-request.js';
import { parseTopVia, stampReceived, viaHost } from '../../../src/sip/transport/via.js';

describe('stampReceived (RFC 3261 §18.2.1, RFC 3581 §4)', () => {
  it('stamps only the top value of a shared Via line, IPv6 received without brackets', () => {
    const h = new Headers().append(
      'v',
      'SIP/2.0/UDP [::1]:5070;branch=z9hG4bK1;rport , SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK2',
    );
    assert.ok(stampReceived(h, '0:0::1', 4000));
    assert.equal(
      h.get('via'),
      'SIP/2.0/UDP [::1]:5070;branch=z9hG4bK1;rport=4000;received=::1, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK2',
    );
    assert.equal(h.entries[0]!.name, 'v');
  });

  it('adds received for a host name even from the same address', () => {
    const h = new Headers().append('Via', 'SIP/2.0/TCP pc33.example.com;branch=z9hG4bK1');
    assert.ok(stampReceived(h, '127.0.0.1', 4000));
    assert.equal(parseTopVia(h)?.params.get('received'), '127.0.0.1');
    assert.equal(parseTopVia(h)?.params.has('rport'), false);
  });

  it('treats an IPv4-mapped source as IPv4', () => {
    const h = new Headers().append('Via', 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1');
    assert.ok(stampReceived(h, '::ffff:192.0.2.1', 5060));
    assert.equal(h.get('via'), 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1');
  });

  it('keeps an rport that already has a value', () => {
    const h = new Headers().append('Via', 'SIP/2.0/UDP 192.0.2.1;rport=7000;branch=z9hG4bK1');
    assert.ok(stampReceived(h, '192.0.2.1', 5060));
    assert.equal(h.get('via'), 'SIP/2.0/UDP 192.0.2.1;rport=7000;branch=z9hG4bK1');
  });

  it('reports a missing or unparsable Via', () => {
    assert.equal(stampReceived(new Headers(), '127.0.0.1', 1), false);
    assert.equal(stampReceived(new Headers().append('Via', 'nonsense'), '127.0.0.1', 1), false);
  });

  it('brackets IPv6 sent-by hosts', () => {
    assert.equal(viaHost('::1'), '[::1]');
    assert.equal(viaHost('::ffff:10.0.0.1'), '10.0.0.1');
    assert.equal(viaHost('127.0.0.1'), '127.0.0.1');
  });
});

describe('buildBadRequest', () => {
  const partial = (method: string): { method: string; headers: Headers } => ({
    method,
    headers: new Headers()
      .append('Via', 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport')
      .append('From', '<sip:a@x>;tag=1')
      .append('To', '<sip:b@x>')
      .append('Call-ID', 'c1')
      .append('CSeq', '1 ' + method)
      .append('Subject', 'not copied'),
  });

  it('copies Via (stamped), From, To (+tag), Call-ID, CSeq and nothing else', () => {
    const res = buildBadRequest(partial('INVITE'), 'Bad CSeq\r\nInjected: yes', {
      address: '192.0.2.9',
      port: 1234,
    });
    assert.ok(res);
    assert.equal(res.status, 400);
    assert.equal(res.reason, 'Bad CSeq Injected: yes');
    assert.deepEqual(
      res.headers.entries.map((e) => e.key),
      ['via', 'from', 'to', 'call-id', 'cseq'],
    );
    assert.equal(
      res.headers.get('via'),
      'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport=1234;received=192.0.2.9',
    );
    assert.match(res.headers.get('to') ?? '', /^<sip:b@x>;tag=\S+$/);
  });

  it('never answers an ACK', () => {
    assert.equal(buildBadRequest(partial('ACK'), 'x', { address: '10.0.0.1', port: 5060 }), null);
  });

  it('cannot answer without a Via', () => {
    const p = partial('OPTIONS');
    p.headers.delete('via');
    assert.equal(buildBadRequest(p, 'x', { address: '10.0.0.1', port: 5060 }), null);
  });

  it('bounds and cleans the reason phrase', () => {
    assert.equal(reasonPhrase(' \r\n'), 'Bad Request');
    assert.equal(reasonPhrase('a'.repeat(500)).length, 200);
  });
});
