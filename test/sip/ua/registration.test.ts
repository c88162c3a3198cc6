/**
 * The registration state machine (src/sip/ua/registration.ts) on a manual
 * clock, against a fake core that records each REGISTER and lets the test
 * answer it: refresh timing (§10.2.4), 423 Min-Expires (§10.2.8), the
 * back-off after failures (doubling, capped, Retry-After honoured), a
 * success resetting it, and RFC 3263 failover between the servers DNS gives
 * (the fake core's `locate`) on a timeout or a 503.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Headers, SipResponse, type SipRequest } from '../../../src/sip/message/index.js';
import type { ClientTransactionHandlers } from '../../../src/sip/transaction/index.js';
import { Registration, type RegistrarCore } from '../../../src/sip/ua/registration.js';
import type { Endpoint } from '../../../src/sip/transport/index.js';
import { ManualClock } from '../../support/manual-clock.js';

interface Sent {
  req: SipRequest;
  to: string;
  handlers: ClientTransactionHandlers;
}

const server = (port: number): Endpoint => ({ protocol: 'udp', address: '192.0.2.10', port });

/** Lets the registration's awaits (locate, sendRequest) run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function fakeCore(
  clock: ManualClock,
  servers: Endpoint[] = [server(5060)],
): RegistrarCore & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    clock,
    logger: pino({ level: 'silent' }),
    userAgent: 'test',
    allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS',
    async sendRequest(req, next, handlers) {
      const to = 'host' in next ? `${next.host}:${next.port}` : `${next.address}:${next.port}`;
      sent.push({ req, to, handlers });
      return null;
    },
    async locate() {
      return servers.map((e) => ({ ...e }));
    },
    contactFor: () => ({
      displayName: null,
      uri: {
        scheme: 'sip',
        user: 'partyline',
        password: null,
        host: '127.0.0.1',
        port: 5060,
        params: new Map(),
        headers: new Map(),
      },
      params: new Map(),
    }),
  };
}

function answer(s: Sent, status: number, headers: Record<string, string> = {}): void {
  const h = new Headers();
  for (const [k, v] of Object.entries(headers)) h.append(k, v);
  h.append('CSeq', s.req.headers.get('cseq')!);
  s.handlers.onResponse(new SipResponse(status, 'X', h));
}

const trunk = { name: 't', host: '192.0.2.10', username: 'acct', register: true };

describe('trunk registration', () => {
  it('refreshes before expiry: half-time for short grants, 30 s early for long ones', async () => {
    const clock = new ManualClock();
    const core = fakeCore(clock);
    const r = new Registration(core, trunk);
    r.start();
    await flush();
    assert.equal(core.sent[0]!.req.headers.get('expires'), '3600');
    assert.equal(core.sent[0]!.req.headers.get('to'), '<sip:acct@192.0.2.10>');
    answer(core.sent[0]!, 200, { Expires: '40' });
    assert.equal(r.status().state, 'registered');
    clock.advance(19_999);
    assert.equal(core.sent.length, 1);
    clock.advance(1);
    await flush();
    assert.equal(core.sent.length, 2, 'refreshed at 20 s of 40');
    assert.equal(core.sent[1]!.req.callId(), core.sent[0]!.req.callId());
    assert.equal(core.sent[1]!.req.cseq().seq, 2);
    answer(core.sent[1]!, 200, { Expires: '3600' });
    clock.advance(3_569_999);
    assert.equal(core.sent.length, 2);
    clock.advance(1);
    await flush();
    assert.equal(core.sent.length, 3, 'refreshed 30 s before 3600 s');
  });

  it('423 asks again with Min-Expires', async () => {
    const clock = new ManualClock();
    const core = fakeCore(clock);
    const r = new Registration(core, { ...trunk, registerExpires: 60 });
    r.start();
    await flush();
    answer(core.sent[0]!, 423, { 'Min-Expires': '600' });
    await flush();
    assert.equal(core.sent[1]!.req.headers.get('expires'), '600');
  });

  it('backs off after failures: doubling from 30 s, capped at 30 min, Retry-After honoured, reset by a success', async () => {
    const clock = new ManualClock();
    const core = fakeCore(clock);
    const r = new Registration(core, trunk, { random: () => 0.999999 });
    r.start();
    await flush();
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const last = core.sent[core.sent.length - 1]!;
      if (i === 2) answer(last, 503, { 'Retry-After': '300' });
      else if (i % 2) last.handlers.onTimeout();
      else answer(last, 403);
      assert.equal(r.status().state, 'retrying');
      const before = core.sent.length;
      let waited = 0;
      while (core.sent.length === before) {
        clock.advance(1_000);
        waited += 1_000;
        await flush();
      }
      waits.push(waited / 1000);
    }
    assert.deepEqual(waits, [30, 60, 300, 240, 480, 960, 1800, 1800]);
    assert.equal(r.status().failures, 8);
    answer(core.sent[core.sent.length - 1]!, 200, { Expires: '3600' });
    assert.deepEqual(r.status(), {
      trunk: 't',
      state: 'registered',
      expires: 3600,
      lastStatus: 200,
      failures: 0,
      registrar: 'udp:192.0.2.10:5060',
    });
  });

  it('fails over to the next server on a timeout or a 503 within a round, and stays with the one that bound us', async () => {
    const clock = new ManualClock();
    const core = fakeCore(clock, [server(5061), server(5062), server(5063)]);
    const r = new Registration(core, { ...trunk, password: 'pw' }, { random: () => 0.999999 });
    r.start();
    await flush();
    core.sent[0]!.handlers.onTimeout();
    await flush();
    answer(core.sent[1]!, 503, { 'Retry-After': '600' });
    await flush();
    assert.deepEqual(
      core.sent.map((x) => [x.to, x.req.cseq().seq]),
      [
        ['192.0.2.10:5061', 1],
        ['192.0.2.10:5062', 2],
        ['192.0.2.10:5063', 3],
      ],
    );
    assert.equal(r.status().failures, 0, 'a failover is not a failed round');
    answer(core.sent[2]!, 401, {
      'WWW-Authenticate': 'Digest realm="r", nonce="n", algorithm=MD5, qop="auth"',
    });
    await flush();
    assert.equal(core.sent[3]!.to, '192.0.2.10:5063', 'the challenge is answered to its server');
    answer(core.sent[3]!, 200, { Expires: '60' });
    assert.equal(r.status().registrar, 'udp:192.0.2.10:5063');
    // The refresh goes first to the server that holds the binding, though DNS lists it last.
    clock.advance(30_000);
    await flush();
    assert.equal(core.sent[4]!.to, '192.0.2.10:5063');
    answer(core.sent[4]!, 200, { Expires: '60' });
    const stopped = r.stop();
    await flush();
    assert.equal(core.sent[5]!.to, '192.0.2.10:5063', 'the un-REGISTER goes where we are bound');
    answer(core.sent[5]!, 200);
    await stopped;
  });

  it('every server of the round failing is one failure: back-off, then a new round from the top', async () => {
    const clock = new ManualClock();
    const core = fakeCore(clock, [server(5061), server(5062)]);
    const r = new Registration(core, trunk, { random: () => 0.999999 });
    r.start();
    await flush();
    answer(core.sent[0]!, 503);
    await flush();
    core.sent[1]!.handlers.onTimeout();
    await flush();
    assert.equal(core.sent.length, 2);
    assert.deepEqual([r.status().state, r.status().failures], ['retrying', 1]);
    clock.advance(30_000);
    await flush();
    assert.equal(core.sent[2]!.to, '192.0.2.10:5061');
  });

  it('stop() sends Expires: 0 when registered, and nothing more after', async () => {
    const clock = new ManualClock();
    const core = fakeCore(clock);
    const r = new Registration(core, trunk);
    r.start();
    await flush();
    answer(core.sent[0]!, 200, { Expires: '60' });
    const stopped = r.stop();
    await flush();
    assert.equal(core.sent[1]!.req.headers.get('expires'), '0');
    answer(core.sent[1]!, 200);
    await stopped;
    clock.advance(3_600_000);
    assert.equal(core.sent.length, 2);
    assert.equal(r.status().state, 'stopped');
  });
});
