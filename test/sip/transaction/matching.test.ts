/** Matching of responses (RFC 3261 §17.1.3) and requests (§17.2.3, §9.2) to transactions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createResponse } from '../../../src/sip/message/index.js';
import type { ServerTransaction } from '../../../src/sip/transaction/index.js';
import {
  endpoint,
  flush,
  RecordingHandlers,
  request,
  responseTo,
  setup,
  source,
  type RequestOptions,
} from './helpers.js';

/** A server-side layer that records the transaction of each new request. */
function server() {
  const env = setup();
  const txs: ServerTransaction[] = [];
  env.user.onNewRequest = (_req, tx) => {
    if (tx) txs.push(tx);
  };
  return { ...env, txs };
}

describe('client transaction matching (§17.1.3)', () => {
  it('uses the top Via branch and the CSeq method: a CANCEL and its INVITE share a branch', async () => {
    const { layer, user } = setup();
    const invite = request('INVITE', { branch: 'z9hG4bK-shared' });
    const cancel = request('CANCEL', { branch: 'z9hG4bK-shared' });
    const inviteHandlers = new RecordingHandlers();
    const cancelHandlers = new RecordingHandlers();
    layer.sendRequest(invite, endpoint(), inviteHandlers);
    layer.sendRequest(cancel, endpoint(), cancelHandlers);
    await flush();
    assert.deepEqual(layer.size(), { client: 2, server: 0 });
    layer.receive(responseTo(cancel, 200, 'uas-1'), source());
    layer.receive(responseTo(invite, 487, 'uas-1'), source());
    assert.deepEqual(cancelHandlers.log, ['response 200']);
    assert.deepEqual(inviteHandlers.log, ['response 487']);
    assert.equal(user.strays().length, 0);
  });

  it('responses with another branch, no branch or another CSeq method are stray', async () => {
    const { layer, user } = setup();
    const options = request('OPTIONS', { branch: 'z9hG4bK-mine' });
    const handlers = new RecordingHandlers();
    layer.sendRequest(options, endpoint(), handlers);
    await flush();
    layer.receive(responseTo(request('OPTIONS', { branch: 'z9hG4bK-other' }), 200), source());
    layer.receive(responseTo(request('OPTIONS', { branch: null }), 200), source());
    layer.receive(responseTo(request('INFO', { branch: 'z9hG4bK-mine' }), 200), source());
    assert.equal(user.strays().length, 3);
    assert.deepEqual(handlers.log, []);
  });
});

describe('server transaction matching (§17.2.3)', () => {
  it('a request with the same branch, sent-by and method is a retransmission', () => {
    const { layer, user, txs } = server();
    layer.receive(request('INVITE', { branch: 'z9hG4bK-a' }), source());
    layer.receive(request('INVITE', { branch: 'z9hG4bK-a' }), source());
    // sent-by host compares case-insensitively
    layer.receive(
      request('INVITE', { branch: 'z9hG4bK-a', sentBy: 'CLIENT.example.com:5062' }),
      source(),
    );
    assert.equal(user.requests().length, 1);
    assert.equal(txs.length, 1);
  });

  it('another sent-by, branch or method makes a new transaction', () => {
    const { layer, txs } = server();
    layer.receive(request('INVITE', { branch: 'z9hG4bK-a' }), source());
    layer.receive(
      request('INVITE', { branch: 'z9hG4bK-a', sentBy: 'other.example.com:5062' }),
      source(),
    );
    layer.receive(
      request('INVITE', { branch: 'z9hG4bK-a', sentBy: 'client.example.com' }),
      source(),
    );
    layer.receive(request('INVITE', { branch: 'z9hG4bK-b' }), source());
    layer.receive(request('OPTIONS', { branch: 'z9hG4bK-a' }), source());
    assert.equal(txs.length, 5);
    assert.deepEqual(layer.size(), { client: 0, server: 5 });
  });

  it('a CANCEL does not match its INVITE but findInviteServerTransaction finds the target (§9.2)', () => {
    const { layer, txs, user } = server();
    layer.receive(request('INVITE', { branch: 'z9hG4bK-c' }), source());
    const cancel = request('CANCEL', { branch: 'z9hG4bK-c' });
    layer.receive(cancel, source());
    assert.equal(txs.length, 2);
    assert.equal(user.requests('CANCEL')[0]!.tx, txs[1]);
    const target = layer.findInviteServerTransaction(cancel);
    assert.equal(target, txs[0]);
    assert.equal(target?.method, 'INVITE');
    assert.equal(target?.state, 'Proceeding');
  });

  it('findInviteServerTransaction: undefined for an unknown branch, another sent-by, or a non-INVITE target', () => {
    const { layer } = server();
    layer.receive(request('INVITE', { branch: 'z9hG4bK-c' }), source());
    layer.receive(request('OPTIONS', { branch: 'z9hG4bK-o' }), source());
    const find = (o: RequestOptions) => layer.findInviteServerTransaction(request('CANCEL', o));
    assert.equal(find({ branch: 'z9hG4bK-x' }), undefined);
    assert.equal(find({ branch: 'z9hG4bK-c', sentBy: 'elsewhere.example.com' }), undefined);
    assert.equal(find({ branch: 'z9hG4bK-o' }), undefined);
  });

  it('an ACK with the INVITE branch matches the INVITE transaction; another ACK goes to the TU', () => {
    const { layer, txs, user } = server();
    const invite = request('INVITE', { branch: 'z9hG4bK-i' });
    layer.receive(invite, source());
    txs[0]!.respond(createResponse(invite, 486, undefined, { toTag: 'uas-1' }));
    layer.receive(request('ACK', { branch: 'z9hG4bK-i', toTag: 'uas-1' }), source());
    assert.equal(txs[0]!.state, 'Confirmed');
    // The ACK for a 2xx is its own transaction with a new branch (§17.1.1.3): TU, tx null.
    const ack2xx = request('ACK', { branch: 'z9hG4bK-2xx-ack', toTag: 'uas-1' });
    layer.receive(ack2xx, source());
    assert.deepEqual(
      user.requests('ACK').map((e) => [e.message, e.tx]),
      [[ack2xx, null]],
    );
  });
});

describe('RFC 2543 fallback matching (§17.2.3, branch without the magic cookie)', () => {
  for (const branch of [null, '1234-legacy']) {
    const base: RequestOptions = { branch };
    it(`matches retransmissions on Request-URI, tags, Call-ID, CSeq and top Via (branch ${branch})`, () => {
      const { layer, txs, user } = server();
      layer.receive(request('INVITE', base), source());
      layer.receive(request('INVITE', base), source());
      assert.equal(user.requests().length, 1);
      const variants: RequestOptions[] = [
        { uri: 'sip:carol@example.com' },
        { fromTag: 'from-2' },
        { toTag: 'to-2' },
        { callId: 'call-2@client.example.com' },
        { cseq: 2 },
        { sentBy: 'other.example.com:5062' },
      ];
      for (const v of variants) layer.receive(request('INVITE', { ...base, ...v }), source());
      layer.receive(request('OPTIONS', base), source());
      assert.equal(txs.length, 1 + variants.length + 1);
    });

    it(`an ACK matches when its To tag is the one of the final response sent (branch ${branch})`, () => {
      const { layer, txs, user } = server();
      const invite = request('INVITE', base);
      layer.receive(invite, source());
      txs[0]!.respond(createResponse(invite, 404, undefined, { toTag: 'uas-9' }));
      layer.receive(request('ACK', { ...base, toTag: 'wrong' }), source());
      assert.equal(txs[0]!.state, 'Completed');
      assert.equal(user.requests('ACK').length, 1, 'a non-matching ACK reaches the TU');
      layer.receive(request('ACK', { ...base, toTag: 'uas-9' }), source());
      assert.equal(txs[0]!.state, 'Confirmed');
      assert.equal(user.requests('ACK').length, 1);
    });

    it(`a re-INVITE (with a To tag) is matched by its ACK (branch ${branch})`, () => {
      const { layer, txs } = server();
      const reinvite = request('INVITE', { ...base, toTag: 'dlg-1', cseq: 7 });
      layer.receive(reinvite, source());
      txs[0]!.respond(createResponse(reinvite, 488));
      layer.receive(request('ACK', { ...base, toTag: 'dlg-1', cseq: 7 }), source());
      assert.equal(txs[0]!.state, 'Confirmed');
    });

    it(`a CANCEL finds its INVITE (branch ${branch})`, () => {
      const { layer, txs } = server();
      layer.receive(request('INVITE', base), source());
      const cancel = request('CANCEL', base);
      layer.receive(cancel, source());
      assert.equal(txs.length, 2);
      assert.equal(layer.findInviteServerTransaction(cancel), txs[0]);
      assert.equal(
        layer.findInviteServerTransaction(request('CANCEL', { ...base, cseq: 9 })),
        undefined,
      );
    });
  }
});
