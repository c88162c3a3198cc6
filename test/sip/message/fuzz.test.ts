/**
 * Fuzz: 100 000 seeded mutants of well-formed messages. parseMessage must
 * never throw; what it accepts must serialise, re-parse identically and
 * answer every accessor. Reproducible: a failure names its seed and index.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseMessage,
  serializeMessage,
  SipParseError,
  SipRequest,
  type SipMessage,
} from '../../../src/sip/message/index.js';
import { mutate, seededRng } from '../../support/mutator.js';
import { SEEDS } from './samples.js';

const SEED = 0x5eed5;
const COUNT = 100_000;

function exerciseAccessors(m: SipMessage): void {
  m.vias();
  m.topVia();
  m.from();
  m.to();
  m.callId();
  m.cseq();
  m.routes();
  m.recordRoutes();
  m.contentType();
  if (m.headers.get('contact') !== '*') m.contacts();
  else assert.throws(() => m.contacts(), SipParseError);
}

test('mutator is reproducible for a seed', () => {
  const a = seededRng(42);
  const b = seededRng(42);
  const seed = Buffer.from(SEEDS[0]!);
  for (let i = 0; i < 50; i++) assert.deepEqual(mutate(seed, a), mutate(seed, b));
  assert.notDeepEqual(mutate(seed, seededRng(1)), mutate(seed, seededRng(2)));
  // The input is never modified.
  assert.equal(seed.toString(), SEEDS[0]);
});

test(`fuzz: ${COUNT} mutated messages through parse, serialise and accessors`, () => {
  const rng = seededRng(SEED);
  const seeds = SEEDS.map((s) => Buffer.from(s));
  let accepted = 0;
  let rejected = 0;
  for (let i = 0; i < COUNT; i++) {
    const input = mutate(seeds[i % seeds.length]!, rng);
    const where = `seed ${SEED} index ${i}: ${JSON.stringify(input.toString('latin1').slice(0, 200))}`;
    let r: ReturnType<typeof parseMessage>;
    try {
      // Every 8th mutant goes in as a string, the transports' other input form.
      r = parseMessage(i % 8 === 0 ? input.toString('utf8') : input);
    } catch (e) {
      assert.fail(`parseMessage threw (${String(e)}) at ${where}`);
    }
    if (!r.ok) {
      rejected++;
      assert.ok(r.error instanceof SipParseError, where);
      assert.ok(r.error.message.length > 0 && !/[\r\n]/.test(r.error.message), where);
      if (r.request) assert.ok(r.request.method.length > 0, where);
      continue;
    }
    accepted++;
    try {
      exerciseAccessors(r.message);
      const once = serializeMessage(r.message);
      const again = parseMessage(once);
      if (!again.ok) assert.fail(`serialised form rejected: ${again.error.message}`);
      exerciseAccessors(again.message);
      assert.equal(again.message.kind, r.message.kind);
      if (r.message instanceof SipRequest)
        assert.equal((again.message as SipRequest).method, r.message.method);
      assert.ok(serializeMessage(again.message).equals(once), 'serialisation not stable');
    } catch (e) {
      assert.fail(`${e instanceof Error ? e.message : String(e)} at ${where}`);
    }
  }
  // Both outcomes must be well represented, or the mutator is too weak or too strong.
  assert.ok(accepted > COUNT / 20, `only ${accepted} accepted`);
  assert.ok(rejected > COUNT / 20, `only ${rejected} rejected`);
});
