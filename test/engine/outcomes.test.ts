/**
 * How a dialled leg turns out, as the engine reports it: busy, declined,
 * no answer (the ring timeout sends CANCEL), hung up while ringing
 * (CANCEL), hung up by the phone (its BYE) — and a leg that ends or fails
 * leaves its conference by itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextEvent, phone, recordEvents, startEngine, until } from './helpers.js';

test('busy: the leg fails with cause busy and status 486', async (t) => {
  const p = await phone(t, { behaviour: 'busy', toneHz: 1000 });
  const engine = await startEngine(t);
  const conference = engine.createConference('busy');
  const leg = engine.dial(p.uri, conference);
  const failure = await p.sipp.during(nextEvent(leg, 'failed', { failOn: ['answered'] }));
  assert.equal(failure.cause, 'busy');
  assert.equal(failure.status, 486);
  assert.equal(leg.state, 'failed');
  assert.deepEqual(leg.failure, failure);
  assert.equal(conference.size, 0);
  await p.passed();
  // The engine forgot the leg.
  await until(() => engine.stats().legs === 0, 'the engine to forget the leg');
});

test('decline: the leg rings, then fails with cause declined and status 603', async (t) => {
  const p = await phone(t, { behaviour: 'decline', toneHz: 1000, answerDelayMs: 200 });
  const engine = await startEngine(t);
  const leg = engine.dial(p.uri, engine.createConference('decline'));
  const events = recordEvents(leg);
  const failure = await p.sipp.during(nextEvent(leg, 'failed', { failOn: ['answered'] }));
  assert.equal(failure.cause, 'declined');
  assert.equal(failure.status, 603);
  assert.deepEqual(events, ['ringing', 'failed']);
  await p.passed();
});

test('no answer: the ring timeout sends CANCEL and the leg fails with cause no-answer', async (t) => {
  const p = await phone(t, { behaviour: 'no-answer', toneHz: 1000 });
  const engine = await startEngine(t);
  const leg = engine.dial(p.uri, engine.createConference('no-answer'), { ringTimeoutMs: 500 });
  const events = recordEvents(leg);
  const failure = await p.sipp.during(nextEvent(leg, 'failed', { failOn: ['answered'] }));
  // The UA cancelled on its ring timeout: the 487 is reported as no answer, not as a cancel.
  assert.equal(failure.cause, 'no-answer');
  assert.equal(failure.status, 487);
  assert.deepEqual(events, ['ringing', 'failed']);
  await p.waitEvent('canceled');
  // SIPp checked the CANCEL matches the INVITE (RFC 3261 §9.1) and got its ACK for the 487.
  await p.passed();
});

test('the engine-wide ring timeout applies when dial() sets none', async (t) => {
  const p = await phone(t, { behaviour: 'no-answer', toneHz: 1000 });
  const engine = await startEngine(t, { ringTimeoutMs: 400 });
  const leg = engine.dial(p.uri, null);
  const failure = await p.sipp.during(nextEvent(leg, 'failed', { failOn: ['answered'] }));
  assert.equal(failure.cause, 'no-answer');
  await p.waitEvent('canceled');
  await p.passed();
});

test('hangup while ringing: CANCEL goes out and the leg fails with cause canceled', async (t) => {
  const p = await phone(t, { behaviour: 'no-answer', toneHz: 1000 });
  const engine = await startEngine(t);
  const conference = engine.createConference('cancel');
  const leg = engine.dial(p.uri, conference);
  await p.sipp.during(nextEvent(leg, 'ringing', { failOn: ['failed'] }));
  assert.equal(leg.state, 'ringing');
  const failed = nextEvent(leg, 'failed', { failOn: ['answered', 'ended'] });
  leg.hangup();
  const failure = await failed;
  assert.equal(failure.cause, 'canceled');
  await p.waitEvent('canceled');
  await p.passed();
  assert.equal(conference.size, 0);
});

test('hangup before the INVITE is even sent: the leg fails canceled and nothing reaches the phone', async (t) => {
  const p = await phone(t, { behaviour: 'answer', toneHz: 1000 });
  const engine = await startEngine(t);
  const leg = engine.dial(p.uri, null);
  const failed = nextEvent(leg, 'failed', { failOn: ['answered'] });
  leg.hangup();
  const failure = await failed;
  assert.equal(failure.cause, 'canceled');
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(p.events(), [], 'the phone saw a call');
});

test('a BYE from the phone ends the leg by remote and it leaves the room by itself', async (t) => {
  const a = await phone(t, { behaviour: 'answer', toneHz: 1000, user: 'stays' });
  const b = await phone(t, {
    behaviour: 'answer',
    toneHz: 1500,
    user: 'leaves',
    hangupAfterMs: 800,
  });
  const engine = await startEngine(t);
  const conference = engine.createConference('remote-bye');
  const legA = engine.dial(a.uri, conference);
  const legB = engine.dial(b.uri, conference);
  await Promise.all([
    a.sipp.during(nextEvent(legA, 'answered', { failOn: ['failed'] })),
    b.sipp.during(nextEvent(legB, 'answered', { failOn: ['failed'] })),
  ]);
  await a.waitHearing(1500);
  assert.equal(conference.size, 2);

  const end = await b.sipp.during(nextEvent(legB, 'ended', { timeoutMs: 5_000 }));
  assert.equal(end.by, 'remote');
  assert.equal(legB.state, 'ended');
  await b.waitEvent('bye-sent');
  await b.passed();
  assert.equal(conference.has(legB), false);
  assert.equal(conference.size, 1);
  await a.waitSilence(3_000, 1500);
  // The other leg is untouched.
  assert.equal(legA.state, 'connected');
  assert.equal(conference.has(legA), true);
});
