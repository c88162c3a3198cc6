/**
 * A process that stalls (CPU load, a long GC) makes the mixer clock skip
 * ticks or run them late in a burst: the members' jitter buffers miss
 * pops, fill up and cut their oldest frames. The members must still hear
 * each other afterwards. Before the fix the buffer of a continuous tone
 * waited for the media time of the frames it had cut, stayed full, and
 * played nothing for the rest of the call (test/server/sdk-members under
 * CPU load: a customer taken off hold no longer heard the agent). Here the
 * test blocks its own event loop, so the stalls come whatever the machine.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  HEARD_DB,
  levels,
  listen,
  openConference,
  show,
  sleep,
  type Conference,
} from './conference.js';

const A = 1000;
const B = 440;
/**
 * Each stall blocks the loop this long: five ticks missed, the clock runs
 * them at once (and may skip one), before the packets of the stall are
 * read; so the buffer of a's stream finds nothing for them and keeps the
 * slots, each stall adds its length to the delay, and soon the delay bound
 * (maxDelayMs) cuts.
 */
const STALL_MS = 110;
/** Stalls after the first one that made the bound cut, and the most stalls tried. */
const STALLS_AFTER_CUT = 3;
const MAX_STALLS = 40;
const WINDOW_MS = 200;

/** Blocks the event loop (the sockets, the timers, the mixer) for `ms`. */
function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spinning: the process is stalled
  }
}

describe('e2e mixer: a stalled process', () => {
  let conf: Conference | undefined;
  afterEach(async () => {
    await conf?.close();
    conf = undefined;
  });

  it('after stalls that made the clock skip ticks, every 200 ms window still carries the tone', async () => {
    conf = await openConference('PCMU', ['a', 'b']);
    conf.leg('a').peer.startTone(A);
    conf.leg('b').peer.startTone(B);
    await sleep(500);
    // How many stalls it takes depends on the machine's own load: stall
    // until the bound has cut, then a few more.
    const a = conf.leg('a').stream;
    let stalls = 0;
    let after = STALLS_AFTER_CUT;
    while (stalls < MAX_STALLS && (a.stats().discarded === 0 || after-- > 0)) {
      blockLoop(STALL_MS);
      stalls++;
      await sleep(150);
    }
    const heard = await listen(conf.leg('b'), 2000, 500);
    const st = a.stats();
    assert.ok(
      st.discarded > 0,
      `${stalls} stalls filled a's buffer up to its bound: ${JSON.stringify(st)}`,
    );
    const windows = Math.floor(heard.length / (WINDOW_MS * 8));
    assert.ok(windows >= 8, `b received ${heard.length} samples`);
    for (let w = 0; w < windows; w++) {
      const l = levels(heard.subarray(w * WINDOW_MS * 8, (w + 1) * WINDOW_MS * 8), [A]);
      assert.ok(
        l[A] > HEARD_DB,
        `window ${w}: b does not hear a: ${show(l)}; a's playout ${JSON.stringify(st)}`,
      );
    }
  });
});
