/**
 * The pieces behind the carrier basics, without a network: Reason values
 * (RFC 3326) read and written, merged-request memory (RFC 3261 §8.2.2.2)
 * with its lifetime and cap, and where a redirect target is routed
 * (§8.1.3.4: by the rules of a dialled address, credentials kept only on
 * the trunk they belong to).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Headers,
  SipRequest,
  SipResponse,
  formatUri,
  parseUri,
} from '../../../src/sip/message/index.js';
import { RoutingError, routeAddress, type TrunkConfig } from '../../../src/sip/ua/index.js';
import { formatReason, parseReason, remoteReason } from '../../../src/sip/ua/reason.js';
import { MergedRequests } from '../../../src/sip/ua/merged-requests.js';
import { MAX_REDIRECT_HOPS, RedirectTargets } from '../../../src/sip/ua/redirect.js';
import { routeRedirectTarget } from '../../../src/sip/ua/routing.js';
import { ManualClock } from '../../support/manual-clock.js';

function withHeaders(lines: [string, string][]): SipResponse {
  const h = new Headers();
  for (const [k, v] of lines) h.append(k, v);
  return new SipResponse(302, 'Moved Temporarily', h);
}

describe('Reason (RFC 3326)', () => {
  it('reads every value of every Reason header, and the Q.850 cause', () => {
    const res = withHeaders([
      ['Reason', 'SIP ;cause=200 ;text="Call completed elsewhere"'],
      ['Reason', 'q.850;cause=16;text="a \\"quoted\\" word; and a semicolon", X-Vendor;foo=bar'],
    ]);
    assert.deepEqual(remoteReason(res), {
      reasons: [
        { protocol: 'SIP', cause: 200, text: 'Call completed elsewhere' },
        { protocol: 'Q.850', cause: 16, text: 'a "quoted" word; and a semicolon' },
        { protocol: 'X-VENDOR' },
      ],
      q850Cause: 16,
    });
  });

  it('ignores garbage, bounds what a hostile peer can make us keep', () => {
    assert.equal(parseReason(''), null);
    assert.equal(parseReason('"quoted";cause=1'), null);
    assert.deepEqual(parseReason('Q.850;cause=abc;text=unquoted'), {
      protocol: 'Q.850',
      text: 'unquoted',
    });
    const many = withHeaders([
      ['Reason', Array.from({ length: 100 }, (_, i) => `P${i};cause=${i}`).join(', ')],
    ]);
    assert.equal(remoteReason(many)?.reasons.length, 8);
    assert.equal(remoteReason(withHeaders([]))?.reasons, undefined);
  });

  it('writes text quoted, escapes quotes and backslashes, drops controls', () => {
    assert.equal(
      formatReason({ protocol: 'Q.850', cause: 16, text: 'say "hi"\\\r\nInjected: yes' }),
      'Q.850;cause=16;text="say \\"hi\\"\\\\Injected: yes"',
    );
  });
});

describe('merged requests (§8.2.2.2)', () => {
  function invite(branch: string, callId = 'c1', seq = 1): SipRequest {
    const h = new Headers();
    h.append('Via', `SIP/2.0/UDP 192.0.2.1;branch=${branch}`);
    h.append('From', '<sip:a@192.0.2.1>;tag=f1');
    h.append('To', '<sip:b@192.0.2.2>');
    h.append('Call-ID', callId);
    h.append('CSeq', `${seq} INVITE`);
    return new SipRequest('INVITE', parseUri('sip:b@192.0.2.2'), h);
  }

  it('same From tag, Call-ID and CSeq by another branch merges; the same branch does not; it is forgotten after its lifetime', () => {
    const clock = new ManualClock();
    const merged = new MergedRequests(clock, () => 32_000);
    assert.equal(merged.isMerged(invite('z9hG4bK-a')), false);
    assert.equal(merged.isMerged(invite('z9hG4bK-a')), false);
    assert.equal(merged.isMerged(invite('z9hG4bK-b')), true);
    assert.equal(merged.isMerged(invite('z9hG4bK-c', 'c1', 2)), false);
    clock.advance(32_001);
    assert.equal(merged.isMerged(invite('z9hG4bK-b')), false);
    assert.equal(merged.size, 1);
  });

  it('holds at most its cap, dropping the oldest', () => {
    const merged = new MergedRequests(new ManualClock(), () => 32_000, 3);
    for (let i = 0; i < 10; i++) merged.isMerged(invite(`z9hG4bK-${i}`, `call-${i}`));
    assert.equal(merged.size, 3);
  });
});

describe('redirect targets (§8.1.3.4)', () => {
  const trunk: TrunkConfig = {
    name: 'carrier',
    host: 'sip.carrier.example',
    port: 5080,
    transport: 'tcp',
    username: 'u',
    password: 'p',
    prefixes: ['+1'],
  };
  const original = routeAddress('+14155550100', [trunk]);

  it('a sip: target on the trunk host stays on the trunk; URI headers are dropped', () => {
    const route = routeRedirectTarget(
      parseUri('sip:+14155550199@SIP.carrier.example?Subject=evil'),
      original,
      [trunk],
    );
    assert.equal(route.trunk, trunk);
    assert.deepEqual(route.next, { host: 'sip.carrier.example', port: 5080, protocol: 'tcp' });
    assert.equal(formatUri(route.requestUri), 'sip:+14155550199@SIP.carrier.example');
  });

  it('a tel: target goes to the trunk of its prefix; a foreign host goes direct, without the trunk', () => {
    assert.equal(routeRedirectTarget(parseUri('tel:+14155550123'), original, [trunk]).trunk, trunk);
    const foreign = routeRedirectTarget(parseUri('sip:x@203.0.113.9'), original, [trunk]);
    assert.equal(foreign.trunk, undefined);
    assert.equal(foreign.next.host, '203.0.113.9');
    assert.throws(
      () => routeRedirectTarget(parseUri('sips:x@203.0.113.9'), original, [trunk]),
      RoutingError,
    );
  });

  it('orders by q, skips seen and unroutable targets, stops after the hop bound', () => {
    const targets = new RedirectTargets(original);
    const res = withHeaders([
      [
        'Contact',
        '<sip:low@192.0.2.1>;q=0.1, <sip:high@192.0.2.1>;q=1.0, <sips:tls@192.0.2.1>;q=0.5',
      ],
      ['Contact', `<sip:+14155550100@sip.carrier.example:5080;transport=tcp>`],
    ]);
    const skipped = targets.add(res, (uri) => routeRedirectTarget(uri, original, [trunk]));
    assert.equal(skipped.length, 1);
    assert.deepEqual(
      [targets.next(), targets.next(), targets.next()].map((r) => r && formatUri(r.requestUri)),
      ['sip:high@192.0.2.1', 'sip:low@192.0.2.1', undefined],
    );
    for (let i = 0; i < 10; i++)
      targets.add(withHeaders([['Contact', `<sip:n${i}@192.0.2.1>`]]), (uri) =>
        routeRedirectTarget(uri, original, []),
      );
    let hops = 2;
    while (targets.next()) hops++;
    assert.equal(hops, MAX_REDIRECT_HOPS);
  });
});
