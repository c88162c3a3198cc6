/**
 * RFC 3263 through a real DNS server: a dnsmasq the test starts on
 * 127.0.0.1 (a free port, killed by pid) serves NAPTR, SRV and A records
 * for carrier.test, and the user agent is pointed at it by `dnsServers`.
 * The trunk's first server (SRV priority 10) answers 503, or nothing at
 * all; the call, and the trunk's REGISTER, must go on to the second
 * (priority 20), which then holds the binding and gets the un-REGISTER.
 * An outbound proxy gets the trunk's INVITE with itself in a Route header.
 */
import { after, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { formatUri } from '../../src/sip/message/index.js';
import type { CallFailure, RegistrationStatus, UserAgent } from '../../src/sip/ua/index.js';
import { carrierRecords, startDns, type Dns } from '../support/dnsmasq.js';
import { SipPeer } from '../support/sipp.js';
import { next, scenario, sdp, startUa } from './helpers.js';

async function until(check: () => boolean, what: string, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A silent server: a UDP socket that counts what it swallows; closed when the test ends. */
async function blackHole(t: TestContext): Promise<{ port: number; swallowed: () => number }> {
  const silent = createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  t.after(() => silent.close());
  let swallowed = 0;
  silent.on('message', () => swallowed++);
  return { port: silent.address().port, swallowed: () => swallowed };
}

describe('RFC 3263: NAPTR, SRV and failover through dnsmasq', () => {
  const children: Dns[] = [];
  after(async () => {
    // dnsmasq is ours: stopped by its pid (SIGTERM, then SIGKILL).
    for (const d of children) await d.stop();
  });

  /** SIPp running `name`, stopped when the test ends. */
  async function sipp(t: TestContext, name: string): Promise<SipPeer> {
    const peer = await SipPeer.start({ scenario: scenario(name) });
    t.after(() => peer.stop());
    return peer;
  }

  /** carrier.test's servers: `first` (priority 10) and SIPp running `upScenario` (priority 20). */
  async function carrier(
    t: TestContext,
    first: number,
    upScenario: string,
  ): Promise<{ up: SipPeer; dns: Dns }> {
    const up = await sipp(t, upScenario);
    const dns = await startDns(carrierRecords(first, up.port));
    children.push(dns);
    return { up, dns };
  }

  it('NAPTR → SRV: the priority-10 server answers 503, the priority-20 one takes the call', async (t) => {
    const down = await sipp(t, 'uas-503.xml');
    const { up, dns } = await carrier(t, down.port, 'uas-answer.xml');
    const ua = await startUa({
      trunks: [{ name: 'carrier', host: 'carrier.test' }],
      dnsServers: [dns.server],
    });
    t.after(() => ua.close());
    const call = ua.call('+14155550100', { sdp: sdp() });
    await next(call, 'answered', 8_000, ['failed']);
    await down.passed();
    assert.equal(formatUri(call.lastInvite!.uri), 'sip:+14155550100@carrier.test');
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await up.passed();
  });

  it('a server that never answers: after Timer B, the next server takes the call', async (t) => {
    const silent = await blackHole(t);
    const { up, dns } = await carrier(t, silent.port, 'uas-answer.xml');
    const ua = await startUa({
      trunks: [{ name: 'carrier', host: 'carrier.test', transport: 'udp' }],
      dnsServers: [dns.server],
      timers: { T1: 40, T2: 400, T4: 500 },
    });
    t.after(() => ua.close());
    const call = ua.call('+14155550100', { sdp: sdp() });
    await next(call, 'answered', 8_000, ['failed']);
    assert.ok(silent.swallowed() >= 2, 'the silent server got the INVITE and its retransmissions');
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await up.passed();
  });

  /** A trunk registering with carrier.test through `dns`; closed when the test ends (un-REGISTER). */
  async function registering(
    t: TestContext,
    dns: Dns,
    T1 = 100,
  ): Promise<{ ua: UserAgent; status: () => RegistrationStatus }> {
    const ua = await startUa({
      trunks: [{ name: 'carrier', host: 'carrier.test', username: 'acct', register: true }],
      dnsServers: [dns.server],
      timers: { T1, T2: 400, T4: 500 },
    });
    // close() is idempotent: the tests close it themselves to see the un-REGISTER.
    t.after(() => ua.close());
    return { ua, status: () => ua.registrationStatus()[0]! };
  }

  it('REGISTER: the priority-10 registrar answers 503, the priority-20 one binds us and gets the un-REGISTER', async (t) => {
    const down = await sipp(t, 'uas-register-503.xml');
    const { up, dns } = await carrier(t, down.port, 'uas-register-ok.xml');
    const { ua, status } = await registering(t, dns);
    await up.during(until(() => status().state === 'registered', 'registered'));
    assert.deepEqual(status(), {
      trunk: 'carrier',
      state: 'registered',
      expires: 60,
      lastStatus: 200,
      failures: 0,
      registrar: `udp:127.0.0.1:${up.port}`,
    });
    await down.passed();
    await ua.close();
    await up.passed();
  });

  it('REGISTER: a registrar that never answers — after Timer F, the next one binds us', async (t) => {
    const silent = await blackHole(t);
    const { up, dns } = await carrier(t, silent.port, 'uas-register-ok.xml');
    // T1 = 40 ms: Timer F (64·T1) gives up on the silent server after 2.56 s.
    const { ua, status } = await registering(t, dns, 40);
    await up.during(until(() => status().state === 'registered', 'registered', 10_000));
    assert.equal(status().registrar, `udp:127.0.0.1:${up.port}`);
    assert.equal(status().failures, 0);
    assert.ok(
      silent.swallowed() >= 2,
      'the silent server got the REGISTER and its retransmissions',
    );
    await ua.close();
    await up.passed();
  });

  it('outboundProxy: the INVITE goes to the proxy, which is its Route; the Request-URI stays the trunk', async (t) => {
    const proxy = createSocket('udp4');
    await new Promise<void>((resolve) => proxy.bind(0, '127.0.0.1', resolve));
    t.after(() => proxy.close());
    const port = proxy.address().port;
    const seen: string[] = [];
    proxy.on('message', (m, rinfo) => {
      const text = m.toString();
      seen.push(text);
      if (!text.startsWith('INVITE')) return;
      const keep = text.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
      const to = keep.findIndex((l) => /^To:/i.test(l));
      keep[to] += ';tag=proxy';
      proxy.send(
        ['SIP/2.0 486 Busy Here', ...keep, 'Content-Length: 0', '', ''].join('\r\n'),
        rinfo.port,
        rinfo.address,
      );
    });
    const ua = await startUa({
      trunks: [{ name: 'carrier', host: 'carrier.test', outboundProxy: `127.0.0.1:${port}` }],
    });
    t.after(() => ua.close());
    const call = ua.call('+14155550100', { sdp: sdp() });
    const failure = await next<CallFailure>(call, 'failed', 5_000, ['answered']);
    assert.equal(failure.status, 486);
    const invite = seen.find((m) => m.startsWith('INVITE'))!;
    assert.match(invite, /^INVITE sip:\+14155550100@carrier\.test SIP\/2\.0/);
    assert.match(invite, new RegExp(`^Route: <sip:127\\.0\\.0\\.1:${port};lr>`, 'm'));
  });
});
