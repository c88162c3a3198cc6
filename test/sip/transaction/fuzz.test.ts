/**
 * Fuzz: 100 000 seeded mutations of requests and responses, parsed and fed to
 * receive() while the clock advances and a TU answers. Nothing may escape,
 * and once 2·64·T1 have passed with no input every transaction is gone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createResponse,
  isMaskedInternalError,
  parseMessage,
  serializeMessage,
  type SipRequest,
  type SipResponse,
} from '../../../src/sip/message/index.js';
import {
  TransactionLayer,
  type ClientTransaction,
  type Endpoint,
  type ServerTransaction,
  type Source,
  type TransactionTransport,
  type TransactionUser,
} from '../../../src/sip/transaction/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import { mutate, seededRng } from '../../support/mutator.js';
import { flush, request, responseTo, source } from './helpers.js';

const ITERATIONS = 100_000;
const CLIENT_ROUND = 2_000;
const T1 = 500;

/** A transport double that only counts, and fails a small share of sends. */
class FlakyTransport implements TransactionTransport {
  sends = 0;
  constructor(private readonly rng: () => number) {}
  sendRequest(_req: SipRequest, dest: Endpoint): Promise<Endpoint> {
    this.sends++;
    if (this.rng() < 0.01) return Promise.reject(new Error('fuzz: send failed'));
    return Promise.resolve(dest);
  }
  sendResponse(_res: SipResponse, _src: Source): Promise<void> {
    this.sends++;
    return this.rng() < 0.01 ? Promise.reject(new Error('fuzz: send failed')) : Promise.resolve();
  }
}

/** A TU that always ends up answering (so server transactions can end), sometimes late, sometimes throwing. */
class FuzzUser implements TransactionUser {
  requests = 0;
  strays = 0;
  constructor(
    private readonly rng: () => number,
    private readonly clock: ManualClock,
  ) {}

  onRequest(req: SipRequest, tx: ServerTransaction | null): void {
    this.requests++;
    if (tx) this.answer(req, tx);
    if (this.rng() < 0.05) throw new Error('fuzz: TU bug');
  }

  onStrayResponse(): void {
    this.strays++;
    if (this.rng() < 0.05) throw new Error('fuzz: TU bug');
  }

  private answer(req: SipRequest, tx: ServerTransaction): void {
    const statuses = [180, 200, 200, 486, 603, 302];
    const final = statuses[Math.floor(this.rng() * statuses.length)]!;
    const respond = (status: number) =>
      tx.respond(createResponse(req, status, undefined, { toTag: 'fuzz-uas' }));
    if (this.rng() < 0.3) respond(183);
    const delay = Math.floor(this.rng() * 3) * 1000;
    if (delay === 0) {
      respond(final === 180 ? 200 : final);
      return;
    }
    this.clock.setTimeout(() => {
      if (final === 180) respond(180);
      respond(final === 180 ? 200 : final);
      // A UAS retransmits its 2xx itself (§13.3.1.4), through the transaction.
      if (final === 200) respond(200);
    }, delay);
  }
}

function wire(m: SipRequest | SipResponse): Buffer {
  return serializeMessage(m);
}

/** Requests a peer might send us: INVITEs (3261 and 2543 style), their ACKs and CANCELs, others. */
function requestSeeds(): Buffer[] {
  const invite = request('INVITE', { branch: 'z9hG4bK-fz-inv' });
  const legacy = request('INVITE', { branch: null, callId: 'legacy@x' });
  return [
    invite,
    request('ACK', { branch: 'z9hG4bK-fz-inv', toTag: 'fuzz-uas' }),
    request('CANCEL', { branch: 'z9hG4bK-fz-inv' }),
    request('ACK', { branch: 'z9hG4bK-fz-2xx-ack', toTag: 'fuzz-uas' }),
    legacy,
    request('ACK', { branch: null, callId: 'legacy@x', toTag: 'fuzz-uas' }),
    request('CANCEL', { branch: null, callId: 'legacy@x' }),
    request('BYE', { branch: 'z9hG4bK-fz-bye', toTag: 'dlg' }),
    request('OPTIONS', { branch: 'z9hG4bK-fz-opt', sentBy: '[2001:db8::1]:5070' }),
    request('REGISTER', { branch: 'z9hG4bK-fz-reg', uri: 'sip:example.com' }),
  ].map(wire);
}

/** Client transactions of one round and the responses a peer might send to them. */
function startClientRound(
  layer: TransactionLayer,
  round: number,
  clock: ManualClock,
  rng: () => number,
): Buffer[] {
  const protocol = rng() < 0.5 ? 'udp' : 'tcp';
  const dest: Endpoint = { protocol, address: '192.0.2.20', port: 5060 };
  const invite = request('INVITE', { branch: `z9hG4bK-fz-c${round}i` });
  const options = request('OPTIONS', { branch: `z9hG4bK-fz-c${round}o` });
  const cancel = request('CANCEL', { branch: `z9hG4bK-fz-c${round}i` });
  for (const req of [invite, options, cancel]) {
    let cancelArmed = false;
    const tx: ClientTransaction = layer.sendRequest(req, dest, {
      onResponse: (res) => {
        // A UAC CANCELs an INVITE stuck in Proceeding and, per §9.1, destroys
        // the transaction 64·T1 later if no final response came.
        if (res.status < 200 && !cancelArmed) {
          cancelArmed = true;
          clock.setTimeout(() => tx.terminate(), 64 * T1);
        }
        if (rng() < 0.05) throw new Error('fuzz: TU bug');
      },
      onTimeout: () => undefined,
      onTransportError: () => undefined,
    });
  }
  return [
    responseTo(invite, 100),
    responseTo(invite, 180, 'fz'),
    responseTo(invite, 200, 'fz'),
    responseTo(invite, 486, 'fz'),
    responseTo(invite, 487, 'fz'),
    responseTo(options, 200, 'fz'),
    responseTo(options, 100),
    responseTo(cancel, 200, 'fz'),
  ].map(wire);
}

describe('transaction layer fuzz', () => {
  it(`survives ${ITERATIONS} mutated messages and cleans up after 2·64·T1`, async () => {
    const rng = seededRng(0x5ee_d17);
    const clock = new ManualClock();
    const transport = new FlakyTransport(rng);
    const user = new FuzzUser(rng, clock);
    // No per-source rate: every mutation comes from one source and must reach the machines.
    const layer = new TransactionLayer(transport, user, {
      clock,
      timers: { T1 },
      newRequestsPerSecondPerSource: 0,
    });
    const requests = requestSeeds();
    let responses: Buffer[] = [];
    let parsed = 0;
    let peak = 0;

    const masked: unknown[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      if (i % CLIENT_ROUND === 0) {
        responses = startClientRound(layer, i / CLIENT_ROUND, clock, rng);
        await flush();
      }
      const pool = rng() < 0.6 ? requests : responses;
      const seed = pool[Math.floor(rng() * pool.length)]!;
      // Most inputs are mutated; some go through intact so that the real flows
      // (retransmissions, ACKs, CANCELs) happen too.
      const input = rng() < 0.8 ? mutate(seed, rng) : seed;
      const result = parseMessage(input);
      if (!result.ok && isMaskedInternalError(result.error)) masked.push(result.error.cause);
      if (result.ok) {
        parsed++;
        const src = source(rng() < 0.7 ? 'udp' : 'tcp');
        layer.receive(result.message, src);
      }
      if (i % 50 === 49) clock.advance(Math.floor(rng() * 1000));
      if (i % 1000 === 999) {
        await flush();
        const { client, server } = layer.size();
        peak = Math.max(peak, client + server);
      }
    }

    await flush();
    clock.advance(2 * 64 * T1);
    await flush();
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
    // No bug hidden as bad input: neither the parser nor the layer met an internal error.
    assert.deepEqual(masked, []);
    assert.equal(layer.stats().internalErrors, 0);
    assert.ok(parsed > ITERATIONS / 10, `only ${parsed} mutated messages parsed`);
    assert.ok(user.requests > 0 && user.strays > 0 && peak > 0);
    layer.close();
  });
});
