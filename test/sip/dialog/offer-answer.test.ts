/** The offer/answer state machine (RFC 3264 §4, RFC 6337 §3 states). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OfferAnswer, OfferAnswerError } from '../../../src/sip/dialog/index.js';

describe('OfferAnswer', () => {
  it('our offer, their answer: initial → have-local-offer → stable', () => {
    const oa = new OfferAnswer();
    assert.equal(oa.state, 'initial');
    oa.localOffer('A1');
    assert.equal(oa.state, 'have-local-offer');
    assert.equal(oa.local, 'A1', 'the first offer is what we run by until answered');
    oa.remoteAnswer('B1');
    assert.deepEqual([oa.state, oa.local, oa.remote], ['stable', 'A1', 'B1']);
  });

  it('their offer, our answer; their offer is readable before we answer', () => {
    const oa = new OfferAnswer();
    oa.remoteOffer('B1');
    assert.equal(oa.remote, 'B1');
    oa.localAnswer('A1');
    assert.deepEqual([oa.state, oa.local, oa.remote], ['stable', 'A1', 'B1']);
  });

  it('one offer at a time: a second offer in either direction is refused', () => {
    const oa = new OfferAnswer();
    oa.localOffer('A1');
    assert.throws(() => oa.remoteOffer('B1'), OfferAnswerError);
    assert.throws(() => oa.localOffer('A2'), OfferAnswerError);
    assert.throws(() => oa.localAnswer('A2'), OfferAnswerError);
    assert.equal(oa.stable, false);
  });

  it('rollback (a failed re-INVITE, §14.1) leaves the agreed descriptions as they were', () => {
    const oa = new OfferAnswer();
    oa.localOffer('A1');
    oa.remoteAnswer('B1');
    oa.localOffer('A2');
    assert.equal(oa.local, 'A1', 'a re-offer is not ours until answered');
    oa.rollback();
    assert.deepEqual(
      [oa.state, oa.local, oa.remote, oa.pendingOffer],
      ['stable', 'A1', 'B1', null],
    );
    oa.remoteOffer('B2');
    oa.rollback();
    assert.deepEqual([oa.state, oa.remote], ['stable', 'B1']);
  });

  it('an early answer is used but the offer stays open until the final answer', () => {
    const oa = new OfferAnswer();
    oa.localOffer('A1');
    oa.provisionalAnswer('B0');
    assert.deepEqual([oa.state, oa.remote], ['have-local-offer', 'B0']);
    oa.remoteAnswer('B1');
    assert.deepEqual([oa.state, oa.remote], ['stable', 'B1']);
    assert.throws(() => oa.remoteAnswer('B2'), OfferAnswerError, 'no answer without an offer');
  });
});
