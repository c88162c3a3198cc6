/**
 * The engine's own life: close() hangs up everything it has — a BYE to a
 * connected phone, a CANCEL to one still ringing, 480 to a caller nobody
 * answered — and closes its conferences; after it nothing new starts.
 * Addresses it cannot route are refused synchronously, before anything
 * is sent. And a leg whose peer stops sending RTP (it sends no RTCP:
 * SIPp) reports media-timeout and is ended with a BYE.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../../src/engine/index.js';
import {
  nextEvent,
  nextIncoming,
  phone,
  renderScenario,
  sippCalling,
  startEngine,
  tempDir,
} from './helpers.js';

test('close(): BYE to connected legs, CANCEL to ringing ones, 480 to unanswered callers; conferences close', async (t) => {
  const talking = await phone(t, { behaviour: 'answer', toneHz: 1000, user: 'talking' });
  const ringing = await phone(t, { behaviour: 'no-answer', toneHz: 1500, user: 'ringing' });
  const engine = await startEngine(t);
  const conference = engine.createConference('closing');
  const legT = engine.dial(talking.uri, conference);
  const legR = engine.dial(ringing.uri, conference);
  const rang = nextEvent(legR, 'ringing', { failOn: ['failed'] });
  await talking.sipp.during(nextEvent(legT, 'answered', { failOn: ['failed'] }));
  await ringing.sipp.during(rang);

  // A caller we let ring: shutting down tells it 480.
  const offered = nextIncoming(engine);
  const caller = await sippCalling(
    t,
    engine,
    renderScenario(tempDir(t), 'uac-refused.xml', {
      status: 480,
      payloadType: 0,
      rtpmap: 'PCMU/8000',
    }),
  );
  const legC = await caller.during(offered);
  legC.ring();
  assert.equal(engine.stats().legs, 3);
  assert.equal(engine.stats().conferences, 1);

  const ended = nextEvent(legT, 'ended');
  const canceled = nextEvent(legR, 'failed', { failOn: ['answered'] });
  const rejected = nextEvent(legC, 'failed', { failOn: ['answered'] });
  await engine.close();
  const end = await ended;
  assert.equal(end.by, 'local');
  assert.equal(end.reason, 'shutdown');
  assert.equal((await canceled).cause, 'canceled');
  assert.equal((await rejected).status, 480);

  await talking.waitEvent('bye-received');
  await talking.passed();
  await ringing.waitEvent('canceled');
  await ringing.passed();
  await caller.passed();

  const stats = engine.stats();
  assert.equal(stats.legs, 0);
  assert.equal(stats.conferences, 0);
  assert.equal(conference.size, 0);
  // Closed is closed: nothing new, and a second close is the same promise's result.
  assert.equal(conference.add(legT), false);
  assert.throws(
    () => engine.createConference('late'),
    (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, 'closed');
      return true;
    },
  );
  assert.throws(
    () => engine.dial(talking.uri, null),
    (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, 'closed');
      return true;
    },
  );
  await engine.close();
});

test("checkAddress('abc') and dial('abc') throw EngineError('bad-address') before sending anything", async (t) => {
  const engine = await startEngine(t);
  const expectBadAddress = (err: unknown): boolean => {
    assert.ok(err instanceof EngineError, `not an EngineError: ${String(err)}`);
    assert.equal(err.code, 'bad-address');
    assert.equal(err.name, 'EngineError');
    return true;
  };
  // The SIP router alone reads a bare word as a host (sip:abc); the engine does not dial it.
  assert.throws(() => engine.checkAddress('abc'), expectBadAddress);
  assert.throws(() => engine.checkAddress(' alice '), expectBadAddress);
  assert.throws(() => engine.checkAddress('mailto:alice@example.com'), expectBadAddress);
  // A phone number with no trunk to take it cannot be routed either.
  assert.throws(() => engine.checkAddress('+14155550100'), expectBadAddress);
  assert.doesNotThrow(() => engine.checkAddress('sip:someone@127.0.0.1:5999'));
  assert.doesNotThrow(() => engine.checkAddress('someone@127.0.0.1:5999'));

  const conference = engine.createConference('bad-address');
  assert.throws(() => engine.dial('abc', conference), expectBadAddress);
  const stats = engine.stats();
  assert.equal(stats.legs, 0, 'a leg was made');
  assert.equal(stats.sipCalls, 0, 'a SIP call was started');
  assert.equal(conference.size, 0);
});

test('a conference id is taken once: a second createConference with it throws, closing the first frees it', async (t) => {
  const engine = await startEngine(t);
  const first = engine.createConference('same');
  assert.throws(
    () => engine.createConference('same'),
    (err: unknown) => err instanceof EngineError && err.code === 'duplicate-conference',
  );
  assert.equal(engine.stats().conferences, 1);
  await first.close();
  assert.equal(engine.stats().conferences, 0);
  const again = engine.createConference('same');
  await again.close();
});

test('a peer that stops sending RTP (and sends no RTCP): media-timeout, then our BYE ends the leg', async (t) => {
  const p = await phone(t, { behaviour: 'answer', toneHz: 1000 });
  const engine = await startEngine(t, { inactivityTimeoutMs: 600 });
  const conference = engine.createConference('media-timeout');
  const leg = engine.dial(p.uri, conference);
  await p.sipp.during(nextEvent(leg, 'answered', { failOn: ['failed'] }));
  await new Promise((r) => setTimeout(r, 200));
  assert.ok((leg.stats()?.packetsReceived ?? 0) > 0, 'no RTP from the phone yet');

  const timedOut = nextEvent(leg, 'media-timeout', { failOn: ['ended'] });
  const ended = nextEvent(leg, 'ended', { timeoutMs: 10_000 });
  p.peer.stop();
  const { silentMs, held } = await timedOut;
  assert.ok(silentMs >= 600, `silent for ${silentMs} ms`);
  assert.equal(held, false);
  assert.deepEqual(await ended, { by: 'local', reason: 'media-timeout' });
  assert.equal(conference.has(leg), false);
  // The phone's scenario ends on the caller's BYE: it got ours.
  await p.passed();
});
