/**
 * A supervisor who coaches, barges in and listens in, proved by what real
 * RTP peers hear (Goertzel on their decoded audio): the customer sends
 * 440 Hz, the agent 1 kHz, the supervisor 1.8 kHz, through real RtpStreams
 * into a Room.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  ABSENT_MARGIN_DB,
  HEARD_DB,
  levels,
  listen,
  openConference,
  show,
  sleep,
  type Conference,
} from './conference.js';

const A = 440; // customer
const B = 1000; // agent
const C = 1800; // supervisor
const FREQS = [A, B, C];

function heard(l: Record<number, number>, f: number, who: string): void {
  assert.ok(l[f] > HEARD_DB, `${who} should hear ${f} Hz: ${show(l)}`);
}

/** `f` is absent: far below `reference`, a tone heard in the same audio. */
function absent(l: Record<number, number>, f: number, who: string, reference: number): void {
  assert.ok(l[f] < l[reference] - ABSENT_MARGIN_DB, `${who} must not hear ${f} Hz: ${show(l)}`);
}

async function heardBy(conf: Conference, id: string, ms = 800): Promise<Record<number, number>> {
  return levels(await listen(conf.leg(id), ms), FREQS);
}

describe('e2e mixer: a supervisor coaching, barging in, listening in', () => {
  let conf: Conference | undefined;
  after(async () => {
    await conf?.close();
  });

  it('coach → barge → listen: each hears exactly who has it in their audience', async () => {
    conf = await openConference('PCMU', ['customer', 'agent', 'supervisor']);
    const c = conf;
    // Coaching from the first frame: the customer must never hear the supervisor.
    assert.equal(c.room.setAudience('supervisor', ['agent']), true);
    const customerFrom = c.leg('customer').peer.now();
    c.leg('customer').peer.startTone(A);
    c.leg('agent').peer.startTone(B);
    c.leg('supervisor').peer.startTone(C);

    // 1. Coach: heard by the agent only.
    const [cu1, ag1, su1] = await Promise.all(
      ['customer', 'agent', 'supervisor'].map((id) => heardBy(c, id)),
    );
    heard(ag1, A, 'agent (coached)');
    heard(ag1, C, 'agent (coached)');
    absent(ag1, B, 'agent (its own tone)', A);
    heard(cu1, B, 'customer');
    absent(cu1, C, 'customer (coaching)', B);
    absent(cu1, A, 'customer (its own tone)', B);
    heard(su1, A, 'supervisor');
    heard(su1, B, 'supervisor');
    absent(su1, C, 'supervisor (its own tone)', A);
    assert.deepEqual(c.room.member('supervisor')?.audience, ['agent']);
    // Everything the customer got while the supervisor coached: never a trace of C.
    await sleep(100);
    const whole = levels(c.leg('customer').peer.receivedSince(customerFrom), FREQS);
    absent(whole, C, 'customer (all of the coaching)', B);

    // 2. Barge in: heard by everyone.
    assert.equal(c.room.setAudience('supervisor', 'all'), true);
    const [cu2, ag2, su2] = await Promise.all(
      ['customer', 'agent', 'supervisor'].map((id) => heardBy(c, id)),
    );
    heard(cu2, C, 'customer (barge)');
    heard(cu2, B, 'customer (barge)');
    heard(ag2, A, 'agent (barge)');
    heard(ag2, C, 'agent (barge)');
    heard(su2, A, 'supervisor (barge)');
    heard(su2, B, 'supervisor (barge)');

    // 3. Listen in: heard by nobody, still hears both.
    assert.equal(c.room.setAudience('supervisor', 'none'), true);
    const [cu3, ag3, su3] = await Promise.all(
      ['customer', 'agent', 'supervisor'].map((id) => heardBy(c, id)),
    );
    heard(cu3, B, 'customer (listen)');
    absent(cu3, C, 'customer (listen)', B);
    heard(ag3, A, 'agent (listen)');
    absent(ag3, C, 'agent (listen)', A);
    heard(su3, A, 'supervisor (listening)');
    heard(su3, B, 'supervisor (listening)');
    assert.equal(c.room.member('supervisor')?.audience, 'none');
    assert.equal(c.room.stats().restrictedAudiences, 1);
    assert.equal(c.room.stats().faults, 0);
  });
});
