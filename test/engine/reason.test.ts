/**
 * The far end's Reason header (RFC 3326) reaches the domain: a carrier's
 * BYE or refusal carries the PSTN release cause (Q.850), and the leg's
 * `ended` / `failed` report it.
 */
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SipPeer } from '../support/sipp.js';
import { nextEvent, startEngine } from './helpers.js';

const E2E = join(dirname(fileURLToPath(import.meta.url)), '..', 'e2e', 'scenarios');

test("a carrier's BYE with Q.850 cause 31: the leg's ended carries it", async (t) => {
  const sipp = await SipPeer.start({ scenario: join(E2E, 'uas-reason-remote-bye.xml') });
  t.after(() => sipp.stop());
  const engine = await startEngine(t);
  const leg = engine.dial(`sip:service@${sipp.address}`, null);
  const end = await sipp.during(nextEvent(leg, 'ended', { failOn: ['failed'] }));
  assert.equal(end.by, 'remote');
  assert.equal(end.remote?.q850Cause, 31);
  assert.deepEqual(leg.end, end);
  await sipp.passed();
});

test("a 486 with Q.850 cause 17: the leg's failed carries it", async (t) => {
  const sipp = await SipPeer.start({ scenario: join(E2E, 'uas-reason-busy.xml') });
  t.after(() => sipp.stop());
  const engine = await startEngine(t);
  const leg = engine.dial(`sip:service@${sipp.address}`, null);
  const failure = await sipp.during(nextEvent(leg, 'failed', { failOn: ['answered'] }));
  assert.equal(failure.cause, 'busy');
  assert.deepEqual(failure.remote, {
    reasons: [{ protocol: 'Q.850', cause: 17, text: 'User busy' }],
    q850Cause: 17,
  });
  await sipp.passed();
});
