/**
 * Hostile senders against a real UserAgent on 127.0.0.1 (issue #10 §1):
 * a Via maddr must not redirect our answers (no reflection), rejections are
 * stateless (no transaction, no retransmission), the tables have caps and
 * sources a rate, an unanswered INVITE ends on its own, and a peer looping
 * 200 → ACK → 200 gets at most one ACK per T1. Plain UDP sockets play the
 * peers, so the tests see the exact packets.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { pino, type Logger } from 'pino';
import { parseMessage, type SipMessage, type SipResponse } from '../../../src/sip/message/index.js';
import { UserAgent, type UserAgentOptions } from '../../../src/sip/ua/index.js';
import { ManualClock } from '../../support/manual-clock.js';

/** Short timers: an INVITE server transaction would retransmit a 4xx 11 times within 64·T1 = 1.28 s. */
const FAST = { T1: 20, T2: 80, T4: 100 };

async function udpSocket(t: TestContext, address = '127.0.0.1', port = 0): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => resolve());
  });
  t.after(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket;
}

/** Every SIP message a socket receives, parsed. */
function collect(socket: Socket): SipMessage[] {
  const got: SipMessage[] = [];
  socket.on('message', (data) => {
    const parsed = parseMessage(data);
    if (parsed.ok) got.push(parsed.message);
  });
  return got;
}

function responses(got: SipMessage[]): SipResponse[] {
  return got.filter((m): m is SipResponse => m.kind === 'response');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

/** A logger whose lines land in `lines` (to count log lines per episode). */
function capturingLogger(): { logger: Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        lines.push(JSON.parse(line) as { level: number; msg: string });
      },
    },
  );
  return { logger, lines };
}

async function userAgent(t: TestContext, opts: Partial<UserAgentOptions> = {}): Promise<UserAgent> {
  const ua = await UserAgent.create({
    listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
    timers: FAST,
    ...opts,
  });
  t.after(() => ua.close());
  return ua;
}

let n = 0;
function request(
  method: string,
  uaPort: number,
  via: string,
  opts: { callId?: string; toTag?: string; headers?: string[]; body?: string } = {},
): string {
  const i = ++n;
  const body = opts.body ?? '';
  return [
    `${method} sip:partyline@127.0.0.1:${uaPort} SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `From: <sip:x@127.0.0.1>;tag=f${i}`,
    `To: <sip:partyline@127.0.0.1>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
    `Call-ID: ${opts.callId ?? `hostile-${i}`}`,
    `CSeq: 1 ${method}`,
    ...(opts.headers ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

function send(socket: Socket, text: string, port: number): void {
  socket.send(Buffer.from(text), port, '127.0.0.1');
}

const OFFER_SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

/** A UA that answers every INVITE, a UDP peer, and the peer's call "live" answered 200 (not ACKed). */
interface LiveCall {
  ua: UserAgent;
  uaPort: number;
  peer: Socket;
  port: number;
  got: SipMessage[];
  via: (branch: string) => string;
  toTag: string;
  fromTag: string;
}

async function liveCall(
  t: TestContext,
  opts: Partial<UserAgentOptions>,
  branch: string,
): Promise<LiveCall> {
  const ua = await userAgent(t, opts);
  ua.on('invite', (call) => call.answer(OFFER_SDP));
  const uaPort = ua.bindings()[0]!.port;
  const peer = await udpSocket(t);
  const port = peer.address().port;
  const got = collect(peer);
  const via = (b: string): string => `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${b}`;
  send(
    peer,
    request('INVITE', uaPort, via(branch), {
      callId: 'live',
      headers: [`Contact: <sip:x@127.0.0.1:${port}>`],
    }),
    uaPort,
  );
  await waitFor(() => responses(got).some((r) => r.status === 200));
  const ok = responses(got).find((r) => r.status === 200)!;
  return {
    ua,
    uaPort,
    peer,
    port,
    got,
    via,
    toTag: ok.to().params.get('tag')!,
    fromTag: ok.from().params.get('tag')!,
  };
}

/** A request in the live call's dialog (CSeq 1; the caller renumbers it when it must). */
function inDialog(c: LiveCall, method: string, branch: string): string {
  return request(method, c.uaPort, c.via(branch), { callId: 'live', toTag: c.toTag }).replace(
    /tag=f\d+/,
    `tag=${c.fromTag}`,
  );
}

/** A BYE (CSeq 2) in the live call: answered 200. */
async function byeIsAnswered(c: LiveCall, branch: string): Promise<void> {
  send(c.peer, inDialog(c, 'BYE', branch).replace('CSeq: 1 BYE', 'CSeq: 2 BYE'), c.uaPort);
  await waitFor(() => responses(c.got).some((r) => r.cseq().method === 'BYE'));
  assert.equal(responses(c.got).find((r) => r.cseq().method === 'BYE')!.status, 200);
}

describe('responses go back to the sender, never to a Via maddr (RFC 3581)', () => {
  it('the maddr=127.0.0.2 INVITE gets its 401 at the sender and nothing at 127.0.0.2', async (t) => {
    const ua = await userAgent(t, { inboundAuth: { realm: 'r', users: { alice: 'pw' } } });
    const uaPort = ua.bindings()[0]!.port;
    const sender = await udpSocket(t);
    const port = sender.address().port;
    // The victim listens on the address maddr names, at the sent-by port.
    const victim = await udpSocket(t, '127.0.0.2', port);
    const atSender = collect(sender);
    const atVictim = collect(victim);

    const invite = [
      `INVITE sip:p@127.0.0.1:${uaPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};maddr=127.0.0.2;branch=z9hG4bK-m1`,
      'Max-Forwards: 70',
      'From: <sip:a@127.0.0.1>;tag=1',
      'To: <sip:p@127.0.0.1>',
      'Call-ID: maddr-1',
      'CSeq: 1 INVITE',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    send(sender, invite, uaPort);
    // 64·T1 and more: every retransmission a transaction could make has been made.
    await sleep(1500);
    assert.equal(atVictim.length, 0, 'nothing reflected at the maddr address');
    const got = responses(atSender);
    assert.deepEqual(
      got.map((r) => r.status),
      [401],
    );
  });

  it('a host-name maddr is not looked up: the answer still comes back at once', async (t) => {
    const ua = await userAgent(t);
    const uaPort = ua.bindings()[0]!.port;
    const sender = await udpSocket(t);
    const port = sender.address().port;
    const atSender = collect(sender);
    send(
      sender,
      request(
        'OPTIONS',
        uaPort,
        `SIP/2.0/UDP 127.0.0.1:${port};maddr=nowhere.invalid;branch=z9hG4bK-m2`,
      ),
      uaPort,
    );
    await waitFor(() => atSender.length > 0, 1000);
    assert.equal(responses(atSender)[0]!.status, 200);
    assert.equal(ua.transport.stats().sendErrors, 0);
  });
});

describe('out-of-dialog rejections are stateless (RFC 3261 §8.2.7)', () => {
  const cases: Array<{
    what: string;
    status: number;
    opts?: Partial<UserAgentOptions>;
    build: (uaPort: number, via: string) => string;
  }> = [
    {
      what: 'an INVITE challenged 401',
      status: 401,
      opts: { inboundAuth: { realm: 'r', users: { alice: 'pw' } } },
      build: (p, via) => request('INVITE', p, via),
    },
    {
      what: 'an INVITE nobody takes (480)',
      status: 480,
      build: (p, via) => request('INVITE', p, via),
    },
    {
      what: 'a method we do not implement (405)',
      status: 405,
      build: (p, via) => request('SUBSCRIBE', p, via),
    },
    {
      what: 'a Require we do not support (420)',
      status: 420,
      build: (p, via) => request('INVITE', p, via, { headers: ['Require: 100rel'] }),
    },
    {
      what: 'an INVITE whose body is not SDP (415)',
      status: 415,
      build: (p, via) =>
        request('INVITE', p, via, { headers: ['Content-Type: text/plain'], body: 'hi' }),
    },
    {
      what: 'a BYE for no dialog (481)',
      status: 481,
      build: (p, via) => request('BYE', p, via, { toTag: 'nope' }),
    },
    {
      what: 'a CANCEL for no INVITE (481)',
      status: 481,
      build: (p, via) => request('CANCEL', p, via),
    },
  ];

  for (const c of cases) {
    it(`${c.what}: no transaction kept, no retransmission, the same answer to a retransmission`, async (t) => {
      const ua = await userAgent(t, c.opts);
      if (c.status === 480) assert.equal(ua.listenerCount('invite'), 0);
      const uaPort = ua.bindings()[0]!.port;
      const peer = await udpSocket(t);
      const got = collect(peer);
      const text = c.build(
        uaPort,
        `SIP/2.0/UDP 127.0.0.1:${peer.address().port};branch=z9hG4bK-s${++n}`,
      );
      send(peer, text, uaPort);
      await waitFor(() => got.length >= 1);
      assert.equal(ua.transactions.size().server, 0, 'no server transaction');
      // A transaction would retransmit a final INVITE answer from T1 on (Timer G).
      await sleep(200);
      assert.equal(got.length, 1, 'sent once');
      send(peer, text, uaPort);
      await waitFor(() => got.length >= 2);
      const [first, again] = responses(got);
      assert.equal(first!.status, c.status);
      assert.equal(again!.status, c.status);
      assert.equal(again!.to().params.get('tag'), first!.to().params.get('tag'));
      assert.equal(ua.transactions.size().server, 0);
      assert.equal(ua.callCount(), 0);
    });
  }
});

describe('caps and rates (load shedding)', () => {
  it('past maxDialogs an INVITE gets a stateless 503 with Retry-After; the live call still works', async (t) => {
    const { logger, lines } = capturingLogger();
    const c = await liveCall(t, { maxDialogs: 1, logger }, 'cap-1');
    const { peer, uaPort, got, via } = c;
    send(peer, inDialog(c, 'ACK', 'cap-ack'), uaPort);

    for (let i = 0; i < 3; i++) send(peer, request('INVITE', uaPort, via(`cap-x${i}`)), uaPort);
    await waitFor(() => responses(got).filter((r) => r.status === 503).length === 3);
    const shed = responses(got).find((r) => r.status === 503)!;
    assert.equal(shed.headers.get('retry-after'), '30');
    assert.equal(lines.filter((l) => /call limit reached/.test(l.msg)).length, 1, 'one log line');

    // The live call: a BYE in its dialog is still answered 200.
    await byeIsAnswered(c, 'cap-bye');
  });

  it('past maxServerTransactions new requests get 503, in-dialog ones still go through', async (t) => {
    const c = await liveCall(t, { maxServerTransactions: 1 }, 'tx-1');
    const { ua, peer, uaPort, got, via } = c;
    // The INVITE transaction lingers (RFC 6026 Accepted): the table is full.
    assert.equal(ua.transactions.size().server, 1);
    send(peer, request('OPTIONS', uaPort, via('tx-2')), uaPort);
    await waitFor(() => responses(got).some((r) => r.status === 503));
    assert.equal(
      responses(got)
        .find((r) => r.status === 503)!
        .headers.get('retry-after'),
      '5',
    );
    await byeIsAnswered(c, 'tx-bye');
  });

  it('a source over its rate gets 503s, logged once per episode', async (t) => {
    const clock = new ManualClock();
    const { logger, lines } = capturingLogger();
    const ua = await userAgent(t, {
      clock,
      logger,
      newRequestsPerSecondPerSource: 5,
      newRequestsBurstPerSource: 5,
    });
    const uaPort = ua.bindings()[0]!.port;
    const peer = await udpSocket(t);
    const got = collect(peer);
    const via = (): string => `SIP/2.0/UDP 127.0.0.1:${peer.address().port};branch=z9hG4bK-r${++n}`;
    for (let i = 0; i < 20; i++) send(peer, request('OPTIONS', uaPort, via()), uaPort);
    await waitFor(() => got.length === 20);
    const statuses = responses(got).map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 5);
    assert.equal(statuses.filter((s) => s === 503).length, 15);
    assert.equal(
      responses(got)
        .find((r) => r.status === 503)!
        .headers.get('retry-after'),
      '1',
    );
    const episodes = (): number => lines.filter((l) => /over its rate/.test(l.msg)).length;
    assert.equal(episodes(), 1);
    // A second later the bucket has refilled: taken again, and the episode is over.
    clock.advance(1000);
    send(peer, request('OPTIONS', uaPort, via()), uaPort);
    await waitFor(() => got.length === 21);
    assert.equal(responses(got)[20]!.status, 200);
    assert.equal(lines.filter((l) => /back under its rate/.test(l.msg)).length, 1);
    assert.equal(episodes(), 1);
  });
});

describe('an unanswered incoming INVITE has a lifetime', () => {
  it('ends with 480 after the ring timeout and the call fails no-answer', async (t) => {
    const ua = await userAgent(t, { ringTimeoutMs: 300 });
    const offered: Array<{ cause: string }> = [];
    ua.on('invite', (call) => {
      call.ring();
      call.once('failed', (f) => offered.push(f));
    });
    const uaPort = ua.bindings()[0]!.port;
    const peer = await udpSocket(t);
    const got = collect(peer);
    send(
      peer,
      request('INVITE', uaPort, `SIP/2.0/UDP 127.0.0.1:${peer.address().port};branch=z9hG4bK-ring`),
      uaPort,
    );
    await waitFor(() => ua.callCount() === 1);
    await sleep(150);
    assert.equal(ua.callCount(), 1, 'still ringing before the timeout');
    await waitFor(() => responses(got).some((r) => r.status >= 300), 2000);
    assert.equal(responses(got).find((r) => r.status >= 300)!.status, 480);
    assert.equal(ua.callCount(), 0);
    assert.deepEqual(
      offered.map((f) => f.cause),
      ['no-answer'],
    );
  });
});

describe('a stray 2xx for an established dialog (RFC 3261 §13.2.2.4)', () => {
  it('is re-ACKed at most once per T1, however fast the peer repeats it', async (t) => {
    const T1 = 100;
    const ua = await userAgent(t, { timers: { T1, T2: 400, T4: 500 } });
    const peer = await udpSocket(t);
    const port = peer.address().port;
    let acks = 0;
    let ok: Buffer | null = null;
    peer.on('message', (data, rinfo) => {
      const parsed = parseMessage(data);
      if (!parsed.ok || parsed.message.kind !== 'request') return;
      const req = parsed.message;
      if (req.method === 'INVITE') {
        const lines = data.toString().split('\r\n');
        const keep = lines.filter((l) => /^(Via|From|Call-ID|CSeq):/i.test(l));
        const to = lines.find((l) => /^To:/i.test(l))!;
        ok = Buffer.from(
          [
            'SIP/2.0 200 OK',
            ...keep,
            `${to};tag=loop`,
            `Contact: <sip:peer@127.0.0.1:${port}>`,
            'Content-Type: application/sdp',
            'Content-Length: 0',
            '',
            '',
          ].join('\r\n'),
        );
        peer.send(ok, rinfo.port, rinfo.address);
      } else if (req.method === 'ACK' && ok) {
        // The looping peer: every ACK is answered with the 200 again, at once.
        acks++;
        peer.send(ok, rinfo.port, rinfo.address);
      }
    });
    const call = ua.call(`sip:peer@127.0.0.1:${port}`, { sdp: null });
    await new Promise((resolve) => call.once('answered', resolve));
    // And on top of the loop, the 200 every 10 ms on its own.
    const uaPort = ua.bindings()[0]!.port;
    const flood = setInterval(() => peer.send(ok!, uaPort, '127.0.0.1'), 10);
    t.after(() => clearInterval(flood));
    acks = 0;
    await sleep(1000);
    clearInterval(flood);
    // 1 s at one ACK per T1 = 100 ms: about 10; unpaced it was thousands.
    assert.ok(acks >= 5, `re-ACKed at all (${acks})`);
    assert.ok(acks <= 12, `at most one ACK per T1, got ${acks}`);
  });
});
