/**
 * Two TonePhones dialled by the engine into one conference: each hears the
 * other's tone and never its own; what 'answered' reports is what was
 * negotiated; muting, holding (with a built-in tone as hold music),
 * removing a leg and hanging it up change what each phone hears — and a
 * hangup is a BYE the phone receives.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Conference, Engine, LegMedia, OutgoingLeg } from '../../src/engine/index.js';
import type { TonePhone } from '../support/phones/index.js';
import { nextEvent, phone, startEngine } from './helpers.js';

const A_HZ = 1000;
const B_HZ = 1500;
const HOLD_HZ = 440;

async function twoInARoom(
  t: TestContext,
  bCodec: 'PCMU' | 'PCMA' = 'PCMU',
): Promise<{
  engine: Engine;
  conference: Conference;
  a: TonePhone;
  b: TonePhone;
  legA: OutgoingLeg;
  legB: OutgoingLeg;
  mediaA: LegMedia;
  mediaB: LegMedia;
}> {
  const a = await phone(t, { behaviour: 'answer', toneHz: A_HZ, user: 'alice' });
  const b = await phone(t, { behaviour: 'answer', toneHz: B_HZ, user: 'bob', codec: bCodec });
  const engine = await startEngine(t);
  const conference = engine.createConference('room-1');
  const legA = engine.dial(a.uri, conference);
  const legB = engine.dial(b.uri, conference);
  const [mediaA, mediaB] = await Promise.all([
    a.sipp.during(nextEvent(legA, 'answered', { failOn: ['failed'] })),
    b.sipp.during(nextEvent(legB, 'answered', { failOn: ['failed'] })),
  ]);
  return { engine, conference, a, b, legA, legB, mediaA, mediaB };
}

test('two phones in a room hear each other and not themselves; a PCMA phone gets PCMA', async (t) => {
  const { conference, a, b, legA, legB, mediaA, mediaB } = await twoInARoom(t, 'PCMA');
  assert.deepEqual(mediaA, { codec: 'PCMU', ptime: 20 });
  assert.deepEqual(mediaB, { codec: 'PCMA', ptime: 20 });
  assert.deepEqual(legB.media, mediaB);
  assert.equal(legA.state, 'connected');
  assert.equal(conference.size, 2);
  assert.ok(conference.has(legA) && conference.has(legB));
  assert.ok(legA.sipCallId, 'the leg knows its Call-ID');

  await a.waitHearing(B_HZ);
  await b.waitHearing(A_HZ);
  // N−1: nobody gets its own voice back.
  assert.ok(!a.hears(A_HZ), `alice hears herself at ${a.levelDb(A_HZ).toFixed(1)} dB`);
  assert.ok(!b.hears(B_HZ), `bob hears himself at ${b.levelDb(B_HZ).toFixed(1)} dB`);
});

test('setMuted: a muted leg still hears but is not heard, and is heard again when unmuted', async (t) => {
  const { conference, a, b, legA } = await twoInARoom(t);
  await b.waitHearing(A_HZ);

  assert.equal(conference.setMuted(legA, true), true);
  await b.waitSilence(3_000, A_HZ);
  // Alice, muted, still hears Bob.
  await a.waitHearing(B_HZ);

  assert.equal(conference.setMuted(legA, false), true);
  await b.waitHearing(A_HZ);
});

test('setHeld: a held leg hears the hold source instead of the room and is not heard', async (t) => {
  const { conference, a, b, legA } = await twoInARoom(t);
  await a.waitHearing(B_HZ);
  await b.waitHearing(A_HZ);

  assert.equal(conference.setHeld(legA, true, `tone:${HOLD_HZ}`), true);
  await a.waitHearing(HOLD_HZ);
  await a.waitSilence(3_000, B_HZ);
  await b.waitSilence(3_000, A_HZ);
  // The other side hears neither alice nor her hold music.
  assert.ok(!b.hears(HOLD_HZ, { windowMs: 200 }), 'bob hears the hold music');

  assert.equal(conference.setHeld(legA, false), true);
  await a.waitHearing(B_HZ);
  await a.waitSilence(3_000, HOLD_HZ);
  await b.waitHearing(A_HZ);
});

test('remove(): the leg leaves the room (hears and is heard no more) but stays connected', async (t) => {
  const { conference, a, b, legA } = await twoInARoom(t);
  await a.waitHearing(B_HZ);
  await b.waitHearing(A_HZ);

  assert.equal(conference.remove(legA), true);
  assert.equal(conference.remove(legA), false, 'a second remove is a no-op');
  assert.equal(conference.has(legA), false);
  assert.equal(conference.size, 1);
  await b.waitSilence(3_000, A_HZ);
  await a.waitSilence(3_000, B_HZ);
  assert.equal(legA.state, 'connected');
  assert.deepEqual(
    a.events().filter((e) => e.kind === 'bye-received'),
    [],
    'remove() sends no BYE',
  );
  // Out of the room, the flags have nothing to act on.
  assert.equal(conference.setMuted(legA, true), false);
  assert.equal(conference.setHeld(legA, true, `tone:${HOLD_HZ}`), false);

  // It can come back.
  assert.equal(conference.add(legA), true);
  await b.waitHearing(A_HZ);
  await a.waitHearing(B_HZ);
});

test('hangup(): the phone gets a BYE, the leg ends by local and leaves the room', async (t) => {
  const { conference, a, b, legA, legB } = await twoInARoom(t);
  await b.waitHearing(A_HZ);

  const ended = nextEvent(legA, 'ended');
  legA.hangup();
  const end = await ended;
  assert.equal(end.by, 'local');
  assert.equal(legA.state, 'ended');
  assert.deepEqual(legA.end, end);
  assert.equal(legA.port, null);
  await a.waitEvent('bye-received');
  await a.passed();
  assert.equal(conference.has(legA), false);
  assert.equal(conference.size, 1);
  await b.waitSilence(3_000, A_HZ);
  // A second hangup of an ended leg does nothing.
  legA.hangup();

  legB.hangup();
  await b.waitEvent('bye-received');
  await b.passed();
  assert.equal(conference.size, 0);
});
