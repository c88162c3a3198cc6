/**
 * The large fuzz run (1 000 000 seeded mutations; the test suite runs
 * 100 000): every mutated message goes through parseMessage and, when it
 * parses, through the serialiser and every accessor, then into a
 * TransactionLayer with a recording transport. Then 100 000 more go over
 * UDP on 127.0.0.1 into a real UserAgent (transport: stampReceived, the
 * 400 builder; UA: stateless answers, digest auth, dialogs), with a real
 * SIPp-free socket sending them.
 *
 * Any exception escaping is a failure (`fuzz_escaped_exceptions`); an
 * internal error that was turned into a parse error or swallowed — any
 * error that is not a deliberate SipParseError (SipParseError with a
 * `cause`, the transport's and transaction layer's `internalErrors`) — is
 * counted as `fuzz_masked_errors`. The target of both is 0.
 */
import { createSocket } from 'node:dgram';
import { mutate, seededRng } from '../test/support/mutator.js';
import {
  SipParseError,
  createResponse,
  isMaskedInternalError,
  parseMessage,
  serializeMessage,
} from '../src/sip/message/index.js';
import { TransactionLayer, type TransactionTransport } from '../src/sip/transaction/index.js';
import { UserAgent } from '../src/sip/ua/index.js';
import type { Source } from '../src/sip/transport/index.js';
import { ManualClock } from '../test/support/manual-clock.js';

const SEEDS = [
  'INVITE sip:bob@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhds;rport\r\nMax-Forwards: 70\r\nTo: Bob <sip:bob@127.0.0.1>\r\nFrom: "Alice" <sip:alice@127.0.0.1>;tag=1928301774\r\nCall-ID: a84b4c76e66710@pc33\r\nCSeq: 314159 INVITE\r\nContact: <sip:alice@127.0.0.1:5070>\r\nContent-Type: application/sdp\r\nContent-Length: 22\r\n\r\nv=0\r\no=- 1 1 IN IP4 x\r\n',
  'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKnashds8;received=127.0.0.1\r\nTo: Bob <sip:bob@127.0.0.1>;tag=a6c85cf\r\nFrom: Alice <sip:alice@127.0.0.1>;tag=1928301774\r\nCall-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\nContact: <sip:bob@127.0.0.1>\r\nContent-Length: 0\r\n\r\n',
  'BYE sip:alice@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKnashds7\r\nMax-Forwards: 70\r\nFrom: Bob <sip:bob@127.0.0.1>;tag=a6c85cf\r\nTo: Alice <sip:alice@127.0.0.1>;tag=1928301774\r\nCall-ID: a84b4c76e66710\r\nCSeq: 231 BYE\r\nContent-Length: 0\r\n\r\n',
  'CANCEL sip:bob@127.0.0.1 SIP/2.0\r\nv: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhds\r\nMax-Forwards: 70\r\nt: <sip:bob@127.0.0.1>\r\nf: <sip:alice@127.0.0.1>;tag=1928301774\r\ni: a84b4c76e66710@pc33\r\nCSeq: 314159 CANCEL\r\nl: 0\r\n\r\n',
  'REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP [::1]:5070;branch=z9hG4bKreg1\r\nMax-Forwards: 70\r\nTo: <sip:alice@127.0.0.1>\r\nFrom: <sip:alice@127.0.0.1>;tag=456248\r\nCall-ID: 843817637684230@998sdasdh09\r\nCSeq: 1826 REGISTER\r\nContact: <sip:alice@[::1]:5070>;expires=7200\r\nAuthorization: Digest username="alice", realm="r", nonce="n", uri="sip:127.0.0.1", response="6629fae49393a05397450978507c4ef1", qop=auth, nc=00000001, cnonce="c"\r\nContent-Length: 0\r\n\r\n',
].map((s) => Buffer.from(s));

export async function runFuzzBench(
  count = 1_000_000,
  seed = 20261125,
  throughUa = 100_000,
): Promise<{
  fuzz_messages: number;
  fuzz_parsed: number;
  fuzz_rejected: number;
  fuzz_escaped_exceptions: number;
  fuzz_masked_errors: number;
  fuzz_ua_messages: number;
  fuzz_per_s: number;
}> {
  const rng = seededRng(seed);
  const clock = new ManualClock();
  const transport: TransactionTransport = {
    sendRequest: async (_req, dest) => dest,
    sendResponse: async () => undefined,
  };
  const layer = new TransactionLayer(
    transport,
    {
      onRequest: (req, tx) => {
        // Answer like a UA would, so server transactions walk their whole machine.
        if (tx && req.method !== 'ACK')
          tx.respond(createResponse(req, req.method === 'INVITE' ? 486 : 200));
      },
      onStrayResponse: () => undefined,
    },
    // No per-source rate: every mutation comes from one source and must reach the machines.
    { clock, newRequestsPerSecondPerSource: 0 },
  );
  const source: Source = {
    protocol: 'udp',
    address: '127.0.0.1',
    port: 5070,
    local: { address: '127.0.0.1', port: 5060 },
  };
  let parsed = 0;
  let rejected = 0;
  let escaped = 0;
  let masked = 0;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const input = mutate(SEEDS[i % SEEDS.length]!, rng);
    try {
      const r = parseMessage(input);
      if (!r.ok) {
        if (isMaskedInternalError(r.error)) masked++;
        rejected++;
        continue;
      }
      parsed++;
      const m = r.message;
      serializeMessage(m);
      for (const f of [
        () => m.vias(),
        () => m.from(),
        () => m.to(),
        () => m.cseq(),
        () => m.contacts(),
        () => m.routes(),
      ]) {
        try {
          f();
        } catch (e) {
          // Accessors of non-mandatory headers may throw SipParseError by contract; nothing else.
          if (!(e instanceof SipParseError)) masked++;
        }
      }
      layer.receive(m, source);
      if (i % 1000 === 0) clock.advance(1000);
    } catch {
      escaped++;
    }
  }
  clock.advance(200_000);
  masked += layer.stats().internalErrors;
  layer.close();
  const seconds = (performance.now() - start) / 1000;
  const ua = await fuzzUserAgent(throughUa, rng);
  return {
    fuzz_messages: count,
    fuzz_parsed: parsed,
    fuzz_rejected: rejected,
    fuzz_escaped_exceptions: escaped,
    fuzz_masked_errors: masked + ua.internalErrors,
    fuzz_ua_messages: ua.received,
    fuzz_per_s: Math.round(count / seconds),
  };
}

/**
 * Mutated messages over UDP into a real UserAgent that asks for digest auth
 * and refuses calls; returns what its transport received and the internal
 * errors its transport and transaction layer counted.
 */
async function fuzzUserAgent(
  count: number,
  rng: () => number,
): Promise<{ received: number; internalErrors: number }> {
  const ua = await UserAgent.create({
    listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
    newRequestsPerSecondPerSource: 0,
    inboundAuth: { realm: 'fuzz', users: { alice: 'secret' } },
  });
  ua.on('invite', (call) => call.reject(486));
  const { port } = ua.transport.localEndpoint('udp', 4);
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  try {
    for (let i = 0; i < count; i++) {
      socket.send(mutate(SEEDS[i % SEEDS.length]!, rng), port, '127.0.0.1');
      // Let the UA keep up (and the socket buffer drain): a pause every 25 datagrams.
      if (i % 25 === 24) await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise((r) => setTimeout(r, 500));
    return {
      received: ua.transport.stats().received,
      internalErrors: ua.transport.stats().internalErrors + ua.transactions.stats().internalErrors,
    };
  } finally {
    socket.close();
    await ua.close();
  }
}

/**
 * `node --import tsx bench/fuzz.ts [COUNT] [THROUGH_UA] [--merge FILE]`: with
 * --merge, the result replaces `fuzz` (and `fuzz_masked_errors`) in FILE
 * (bench/results/sip.json), with fuzz_date and fuzz_machine, and nothing else
 * there is touched.
 */
if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--merge');
  const mergeInto = at >= 0 ? args.splice(at, 2)[1] : undefined;
  const result = await runFuzzBench(
    Number(args[0] ?? 1_000_000),
    undefined,
    Number(args[1] ?? 100_000),
  );
  console.table([result]);
  if (mergeInto) {
    const { mergeResults } = await import('./results.js');
    mergeResults(
      mergeInto,
      'sip',
      { fuzz: result, fuzz_masked_errors: result.fuzz_masked_errors },
      'fuzz_date',
    );
    console.log(`merged into ${mergeInto}`);
  }
}
