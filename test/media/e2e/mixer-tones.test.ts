/**
 * The mixer proved by what is heard: three real RTP peers send 440 Hz,
 * 1 kHz and 1.8 kHz through real RtpStreams into a Room; each must hear
 * both other tones and not its own, in G.711 µ-law and A-law.
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
  type Conference,
} from './conference.js';

const TONES: Record<string, number> = { a: 440, b: 1000, c: 1800 };
const ALL = Object.values(TONES);

for (const codec of ['PCMU', 'PCMA'] as const) {
  describe(`e2e mixer over RTP (${codec})`, () => {
    let conf: Conference | undefined;
    after(async () => {
      await conf?.close();
    });

    it('each member hears both other tones and not its own', async () => {
      conf = await openConference(codec, ['a', 'b', 'c']);
      for (const [id, f] of Object.entries(TONES)) conf.leg(id).peer.startTone(f);
      const heard = await Promise.all(
        Object.keys(TONES).map(
          async (id) => [id, levels(await listen(conf!.leg(id), 1000), ALL)] as const,
        ),
      );
      for (const [id, l] of heard) {
        const own = TONES[id];
        const others = ALL.filter((f) => f !== own);
        for (const f of others) {
          assert.ok(l[f] > HEARD_DB, `${id} should hear ${f} Hz: ${show(l)}`);
          assert.ok(l[own] < l[f] - ABSENT_MARGIN_DB, `${id} must not hear itself: ${show(l)}`);
        }
      }
      // Every member's stream received and played its peer's audio.
      for (const id of Object.keys(TONES)) {
        const s = conf.leg(id).stream.stats();
        assert.ok(s.packetsReceived > 40, `${id} received ${s.packetsReceived}`);
        assert.ok(s.packetsSent > 40, `${id} sent ${s.packetsSent}`);
      }
      assert.equal(conf.room.stats().faults, 0);
    });
  });
}
