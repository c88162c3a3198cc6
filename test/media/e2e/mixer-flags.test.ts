/**
 * Mute, hold, deaf and the private sub-room, proved by what the real RTP
 * peers hear (Goertzel on their decoded audio), not by flags.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { builtinSource } from '../../../src/media/audio/index.js';
import {
  ABSENT_MARGIN_DB,
  HEARD_DB,
  levels,
  listen,
  openConference,
  show,
  type Conference,
} from './conference.js';

const A = 440;
const B = 1000;
const C = 1800;
const D = 2600;
const HOLD = 600;
const FREQS = [A, B, C, D, HOLD];

function heard(l: Record<number, number>, f: number, who: string): void {
  assert.ok(l[f] > HEARD_DB, `${who} should hear ${f} Hz: ${show(l)}`);
}

/** `f` is absent: far below `reference` (a tone that is heard in the same audio), or simply inaudible. */
function absent(l: Record<number, number>, f: number, who: string, reference?: number): void {
  const ceiling = reference === undefined ? -60 : l[reference] - ABSENT_MARGIN_DB;
  assert.ok(l[f] < ceiling, `${who} must not hear ${f} Hz: ${show(l)}`);
}

async function heardBy(conf: Conference, id: string, ms = 600): Promise<Record<number, number>> {
  return levels(await listen(conf.leg(id), ms), FREQS);
}

function source(spec: string) {
  const s = builtinSource(spec);
  if (!s) throw new Error(spec);
  return s;
}

describe('e2e mixer: mute, hold, deaf, private group', () => {
  let conf: Conference | undefined;
  afterEach(async () => {
    await conf?.close();
    conf = undefined;
  });

  async function start(ids = ['a', 'b', 'c']): Promise<Conference> {
    conf = await openConference('PCMU', ids);
    const tones: Record<string, number> = { a: A, b: B, c: C, d: D };
    for (const id of ids) conf.leg(id).peer.startTone(tones[id]);
    return conf;
  }

  it('mute: the muted member’s tone disappears for the others; it still hears them', async () => {
    const c = await start();
    const before = await heardBy(c, 'a');
    heard(before, B, 'a before the mute');
    c.room.setFlags('b', { muted: true });
    const [a, b, cc] = await Promise.all([heardBy(c, 'a'), heardBy(c, 'b'), heardBy(c, 'c')]);
    absent(a, B, 'a', C);
    heard(a, C, 'a');
    absent(cc, B, 'c', A);
    heard(b, A, 'b (muted)');
    heard(b, C, 'b (muted)');
    c.room.setFlags('b', { muted: false });
    heard(await heardBy(c, 'a'), B, 'a after unmute');
  });

  it('hold: the held member hears hold music and not the room; the room no longer hears it', async () => {
    const c = await start();
    c.room.setHoldSource('b', source(`tone:${HOLD}`));
    c.room.setFlags('b', { held: true });
    const [a, b, cc] = await Promise.all([heardBy(c, 'a'), heardBy(c, 'b'), heardBy(c, 'c')]);
    heard(b, HOLD, 'b (held)');
    absent(b, A, 'b (held)', HOLD);
    absent(b, C, 'b (held)', HOLD);
    absent(a, B, 'a', C);
    absent(cc, B, 'c', A);
    absent(a, HOLD, 'a', C);
    c.room.setFlags('b', { held: false });
    const back = await heardBy(c, 'b');
    heard(back, A, 'b after unhold');
    absent(back, HOLD, 'b after unhold', A);
  });

  it('deaf: the member hears nothing and is still heard', async () => {
    const c = await start();
    c.room.setFlags('b', { deaf: true });
    const [a, b] = await Promise.all([heardBy(c, 'a'), heardBy(c, 'b')]);
    absent(b, A, 'b (deaf)');
    absent(b, C, 'b (deaf)');
    heard(a, B, 'a');
  });

  it('private sub-room: its members hear only each other; the others hear the hold tone', async () => {
    const c = await start(['a', 'b', 'c', 'd']);
    // Warm transfer: a consults c; b and d wait on hold music.
    c.room.setPrivateGroup(['a', 'c'], () => source(`tone:${HOLD}`));
    const [a, b, cc, d] = await Promise.all(['a', 'b', 'c', 'd'].map((id) => heardBy(c, id)));
    heard(a, C, 'a (in the group)');
    absent(a, B, 'a (in the group)', C);
    absent(a, D, 'a (in the group)', C);
    absent(a, HOLD, 'a (in the group)', C);
    heard(cc, A, 'c (in the group)');
    absent(cc, B, 'c (in the group)', A);
    absent(cc, D, 'c (in the group)', A);
    for (const [who, l] of [
      ['b', b],
      ['d', d],
    ] as const) {
      heard(l, HOLD, `${who} (outside)`);
      absent(l, A, `${who} (outside)`, HOLD);
      absent(l, C, `${who} (outside)`, HOLD);
    }
    // Everyone together again (resume_call).
    c.room.setPrivateGroup(null);
    const bAfter = await heardBy(c, 'b');
    for (const f of [A, C, D]) heard(bAfter, f, 'b after the group');
    absent(bAfter, HOLD, 'b after the group', A);
  });
});
