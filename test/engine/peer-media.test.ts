/**
 * What the far end does to the media, as the engine sees it: a phone that
 * holds us (sendonly re-INVITE, RFC 3264 §8.4) is not heard in the room
 * although it keeps sending its tone, and is heard again when it resumes;
 * a phone that plays early media (183 with SDP) reports it before the
 * answer, and joins the room only once answered; a hold given as the
 * answer in the ACK of an offerless re-INVITE (RFC 3261 §14.2) is a hold.
 */
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  nextEvent,
  nextIncoming,
  phone,
  recordEvents,
  sippCalling,
  startEngine,
} from './helpers.js';

test('remote hold: remote-hold then remote-resume, and a holding phone is not heard meanwhile', async (t) => {
  const a = await phone(t, { behaviour: 'answer', toneHz: 1000, user: 'listener' });
  const holder = await phone(t, {
    behaviour: 'hold-us',
    toneHz: 1500,
    user: 'holder',
    holdAfterMs: 600,
    resumeAfterMs: 1200,
  });
  const engine = await startEngine(t);
  const conference = engine.createConference('remote-hold');
  const legA = engine.dial(a.uri, conference);
  const legH = engine.dial(holder.uri, conference);
  const events = recordEvents(legH);
  await Promise.all([
    a.sipp.during(nextEvent(legA, 'answered', { failOn: ['failed'] })),
    holder.sipp.during(nextEvent(legH, 'answered', { failOn: ['failed'] })),
  ]);
  await a.waitHearing(1500);
  assert.equal(legH.remoteHeld, false);

  await holder.sipp.during(nextEvent(legH, 'remote-hold', { failOn: ['ended'] }));
  assert.equal(legH.remoteHeld, true);
  // SIPp checked our answer to its sendonly offer is recvonly or inactive.
  const hold = await holder.waitEvent('hold');
  assert.match(hold.args[0] ?? '', /^(recvonly|inactive)$/);
  // It still sends its tone (sendonly), yet the room does not carry it.
  assert.ok(holder.peer.stats().sent > 0);
  await a.waitSilence(3_000, 1500);
  assert.equal(conference.has(legH), true, 'a held leg stays in the room');
  // And we send it nothing: it hears no 1000 Hz while it holds us.
  await holder.waitSilence(3_000, 1000);

  await holder.sipp.during(nextEvent(legH, 'remote-resume', { failOn: ['ended'] }));
  assert.equal(legH.remoteHeld, false);
  const resume = await holder.waitEvent('resume');
  assert.equal(resume.args[0], 'sendrecv');
  await a.waitHearing(1500);
  await holder.waitHearing(1000);

  // The room's own mute of the leg still applies after a resume.
  conference.setMuted(legH, true);
  await a.waitSilence(3_000, 1500);
  assert.deepEqual(events, ['ringing', 'answered', 'remote-hold', 'remote-resume']);

  legH.hangup();
  await holder.waitEvent('bye-received');
  await holder.passed();
});

test('a leg muted by the room stays muted across the peer holding and resuming', async (t) => {
  const a = await phone(t, { behaviour: 'answer', toneHz: 1000, user: 'listener' });
  const holder = await phone(t, {
    behaviour: 'hold-us',
    toneHz: 1500,
    user: 'holder',
    holdAfterMs: 400,
    resumeAfterMs: 400,
  });
  const engine = await startEngine(t);
  const conference = engine.createConference('muted-hold');
  const legA = engine.dial(a.uri, conference);
  const legH = engine.dial(holder.uri, conference, { muted: true });
  await Promise.all([
    a.sipp.during(nextEvent(legA, 'answered', { failOn: ['failed'] })),
    holder.sipp.during(nextEvent(legH, 'answered', { failOn: ['failed'] })),
  ]);
  // Dialled muted: it hears the room but is not heard.
  await holder.waitHearing(1000);
  assert.ok(!a.hears(1500), 'a leg dialled muted is heard');
  await holder.sipp.during(nextEvent(legH, 'remote-hold'));
  await holder.sipp.during(nextEvent(legH, 'remote-resume'));
  await holder.waitHearing(1000);
  await a.waitSilence(3_000, 1500);
  conference.setMuted(legH, false);
  await a.waitHearing(1500);
});

test('early media: early-media (with the codec) then answered; the leg joins the room only when answered', async (t) => {
  const a = await phone(t, { behaviour: 'answer', toneHz: 1000, user: 'in-room' });
  const early = await phone(t, {
    behaviour: 'early-media',
    toneHz: 1500,
    user: 'early',
    answerDelayMs: 1200,
    codec: 'PCMA',
  });
  const engine = await startEngine(t);
  const conference = engine.createConference('early-media');
  const legA = engine.dial(a.uri, conference);
  await a.sipp.during(nextEvent(legA, 'answered', { failOn: ['failed'] }));
  const legE = engine.dial(early.uri, conference);
  const events = recordEvents(legE);

  const earlyMedia = await early.sipp.during(
    nextEvent(legE, 'early-media', { failOn: ['failed'] }),
  );
  assert.deepEqual(earlyMedia, { codec: 'PCMA', ptime: 20 });
  assert.equal(legE.state, 'early-media');
  assert.equal(conference.has(legE), false, 'in the room before the answer');
  await early.waitEvent('early');
  // Its tone flows to us, but the room does not carry a leg that has not answered.
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!a.hears(1500, { windowMs: 300 }), 'the room carries early media');

  const answered = await early.sipp.during(nextEvent(legE, 'answered', { failOn: ['failed'] }));
  assert.deepEqual(answered, { codec: 'PCMA', ptime: 20 });
  assert.equal(legE.state, 'connected');
  assert.equal(conference.has(legE), true);
  await a.waitHearing(1500);
  await early.waitHearing(1000);
  assert.deepEqual(events, ['early-media', 'answered']);
});

test('an offerless re-INVITE whose answer, in the ACK, holds us: remote-hold', async (t) => {
  const engine = await startEngine(t);
  const conference = engine.createConference('offerless-hold');
  const incoming = nextIncoming(engine);
  const sipp = await sippCalling(
    t,
    engine,
    join(dirname(fileURLToPath(import.meta.url)), '../sip/ua/scenarios/uac-offerless-reinvite.xml'),
  );
  const leg = await sipp.during(incoming);
  const events = recordEvents(leg);
  assert.equal(await leg.answer(conference), true);
  assert.equal(leg.remoteHeld, false);
  // Our 200 offered our SDP again; the ACK's a=sendonly answer is a hold (RFC 3264 §8.4).
  await sipp.during(nextEvent(leg, 'remote-hold', { failOn: ['ended'] }));
  assert.equal(leg.remoteHeld, true);
  await sipp.during(nextEvent(leg, 'ended'));
  await sipp.passed();
  assert.deepEqual(events, ['answered', 'remote-hold', 'ended']);
});
