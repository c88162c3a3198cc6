/**
 * Calls to the engine: SIPp calls (scenarios/uac-*.xml), the engine emits
 * an IncomingLeg, and the test rings it, answers it into a conference with
 * a TonePhone the engine dialled — which hears the tone SIPp streams — or
 * rejects it. A call nobody listens for gets 480; an offer with no codec
 * we take gets 488; a caller that cancels fails the leg.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  SCENARIOS,
  assertLetGo,
  nextEvent,
  nextIncoming,
  phone,
  recordEvents,
  renderScenario,
  sippCalling,
  startEngine,
  tempDir,
} from './helpers.js';

const CALLER_HZ = 700;
const PHONE_HZ = 1000;

/** A temp dir for this test (removed in t.after) with a 10 s, 700 Hz G.711 u-law WAV in it. */
function workDir(t: TestContext): { dir: string; toneFile: string } {
  const dir = tempDir(t);
  const toneFile = join(dir, 'tone.wav');
  // SIPp's rtp_stream sends the file's bytes as they are: they must already be G.711.
  execFileSync(
    'sox',
    [
      '-n',
      '-r',
      '8000',
      '-c',
      '1',
      '-e',
      'u-law',
      toneFile,
      'synth',
      '10',
      'sine',
      String(CALLER_HZ),
    ],
    {
      stdio: 'ignore',
    },
  );
  return { dir, toneFile };
}

test('a caller answered into a conference is heard by a dialled phone; our hangup is a BYE', async (t) => {
  const { dir, toneFile } = workDir(t);
  const engine = await startEngine(t);
  const p = await phone(t, { behaviour: 'answer', toneHz: PHONE_HZ, user: 'agent' });
  const incoming = nextIncoming(engine);
  const sipp = await sippCalling(
    t,
    engine,
    renderScenario(dir, 'uac-tone.xml', { toneFile, byeAfterMs: 0 }),
  );
  const leg = await sipp.during(incoming);
  const events = recordEvents(leg);
  assert.equal(leg.direction, 'incoming');
  assert.equal(leg.state, 'offered');
  assert.equal(leg.callerUser, '+15550001111');
  assert.equal(leg.calledUser, 'partyline');
  assert.ok(leg.sipCallId, 'the leg knows its Call-ID');

  const conference = engine.createConference('inbound');
  leg.ring();
  assert.equal(leg.state, 'ringing');
  const agent = engine.dial(p.uri, conference);
  await p.sipp.during(nextEvent(agent, 'answered', { failOn: ['failed'] }));

  const answered = nextEvent(leg, 'answered', { failOn: ['failed', 'ended'] });
  assert.equal(await leg.answer(conference), true);
  assert.deepEqual(await answered, { codec: 'PCMU', ptime: 20 });
  assert.equal(leg.state, 'connected');
  assert.equal(conference.size, 2);
  assert.equal(await leg.answer(conference), false, 'a second answer is refused');

  // What SIPp streams reaches the phone through the room.
  await sipp.during(p.waitHearing(CALLER_HZ));
  assert.ok(!p.hears(PHONE_HZ), 'the agent hears itself');
  // Rejecting a connected call does nothing.
  leg.reject(486);
  assert.equal(leg.state, 'connected');

  const ended = nextEvent(leg, 'ended');
  leg.hangup();
  assert.equal((await ended).by, 'local');
  await sipp.passed();
  assert.equal(conference.has(leg), false);
  assertLetGo(leg);
  await p.waitSilence(3_000, CALLER_HZ);
  assert.deepEqual(events, ['ringing', 'answered', 'ended']);
  const agentEnded = nextEvent(agent, 'ended');
  agent.hangup();
  await agentEnded;
  assertLetGo(agent);
});

test("a caller's BYE ends the incoming leg by remote and it leaves the room", async (t) => {
  const { dir, toneFile } = workDir(t);
  const engine = await startEngine(t);
  const p = await phone(t, { behaviour: 'answer', toneHz: PHONE_HZ, user: 'agent' });
  const conference = engine.createConference('inbound-bye');
  const agent = engine.dial(p.uri, conference);
  await p.sipp.during(nextEvent(agent, 'answered', { failOn: ['failed'] }));
  const incoming = nextIncoming(engine);
  const sipp = await sippCalling(
    t,
    engine,
    renderScenario(dir, 'uac-tone.xml', { toneFile, byeAfterMs: 1500 }),
  );
  const leg = await sipp.during(incoming);
  // Answered without ringing first: the 180 is optional.
  assert.equal(await leg.answer(conference), true);
  await sipp.during(p.waitHearing(CALLER_HZ));

  const end = await sipp.during(nextEvent(leg, 'ended', { timeoutMs: 5_000 }));
  assert.equal(end.by, 'remote');
  await sipp.passed();
  assert.equal(conference.has(leg), false);
  assert.equal(conference.size, 1);
  await p.waitSilence(3_000, CALLER_HZ);
  assert.equal(agent.state, 'connected');
});

test('reject(486): the caller gets 486 and the leg fails with status 486', async (t) => {
  const { dir } = workDir(t);
  const engine = await startEngine(t);
  const incoming = nextIncoming(engine);
  const sipp = await sippCalling(
    t,
    engine,
    renderScenario(dir, 'uac-refused.xml', { status: 486, payloadType: 0, rtpmap: 'PCMU/8000' }),
  );
  const leg = await sipp.during(incoming);
  leg.ring();
  const failed = nextEvent(leg, 'failed');
  leg.reject(486);
  const failure = await failed;
  assert.equal(failure.status, 486);
  assert.equal(failure.cause, 'failed');
  assert.equal(leg.state, 'failed');
  await sipp.passed();
  assert.equal(await leg.answer(null), false, 'a rejected call cannot be answered');
});

test('a call nobody listens for gets 480', async (t) => {
  const { dir } = workDir(t);
  const engine = await startEngine(t);
  assert.equal(engine.listenerCount('incoming'), 0);
  const sipp = await sippCalling(
    t,
    engine,
    renderScenario(dir, 'uac-refused.xml', { status: 480, payloadType: 0, rtpmap: 'PCMU/8000' }),
  );
  await sipp.passed();
  assert.equal(engine.stats().legs, 0, 'the refused leg is forgotten');
});

test('hangup() before the answer rejects the caller with 480', async (t) => {
  const { dir } = workDir(t);
  const engine = await startEngine(t);
  const incoming = nextIncoming(engine);
  const sipp = await sippCalling(
    t,
    engine,
    renderScenario(dir, 'uac-refused.xml', { status: 480, payloadType: 0, rtpmap: 'PCMU/8000' }),
  );
  const leg = await sipp.during(incoming);
  leg.ring();
  const failed = nextEvent(leg, 'failed');
  leg.hangup();
  assert.equal((await failed).status, 480);
  await sipp.passed();
});

test('an offer with no codec we take: answer() resolves false and the caller gets 488', async (t) => {
  const { dir } = workDir(t);
  const engine = await startEngine(t);
  const incoming = nextIncoming(engine);
  const sipp = await sippCalling(
    t,
    engine,
    renderScenario(dir, 'uac-refused.xml', { status: 488, payloadType: 18, rtpmap: 'G729/8000' }),
  );
  const leg = await sipp.during(incoming);
  const conference = engine.createConference('no-codec');
  const failed = nextEvent(leg, 'failed');
  assert.equal(await leg.answer(conference), false);
  assert.equal((await failed).status, 488);
  assert.equal(conference.size, 0);
  await sipp.passed();
});

test('a caller that cancels while we ring fails the leg with cause canceled', async (t) => {
  const engine = await startEngine(t);
  const incoming = nextIncoming(engine);
  const sipp = await sippCalling(t, engine, join(SCENARIOS, 'uac-cancel.xml'));
  const leg = await sipp.during(incoming);
  const failed = nextEvent(leg, 'failed', { failOn: ['answered'] });
  leg.ring();
  const failure = await sipp.during(failed);
  assert.equal(failure.cause, 'canceled');
  await sipp.passed();
  assert.equal(await leg.answer(null), false, 'a canceled call cannot be answered');
});
