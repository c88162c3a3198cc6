/**
 * After an outgoing call ends, its INVITE client transaction lingers in
 * Accepted for 64·T1 (RFC 6026 §8.4) and passes up every 2xx. What it
 * reaches then is only what those 2xx need (unwanted-answers.ts): a
 * retransmission of our answer gets the very same ACK again and no BYE
 * (§13.2.2.4), a new fork's answer gets an ACK and a BYE — and the call
 * itself is garbage, not held for those 32 s.
 * A plain UDP socket plays the peer, so the test sees the exact bytes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { formatUri, parseMessage, type SipRequest } from '../../../src/sip/message/index.js';
import { UserAgent, type OutgoingCall } from '../../../src/sip/ua/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Requests the peer receives, in order, with a wait for the next one of a method. */
class Peer {
  readonly received: SipRequest[] = [];
  private waiters: { method: string; resolve: (r: SipRequest) => void }[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('message', (data) => {
      const parsed = parseMessage(data);
      if (!parsed.ok || parsed.message.kind !== 'request') return;
      const req = parsed.message;
      this.received.push(req);
      const i = this.waiters.findIndex((w) => w.method === req.method);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(req);
    });
  }

  static async create(): Promise<Peer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new Peer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  next(method: string, timeoutMs = 3_000): Promise<SipRequest> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${method} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        method,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
    });
  }

  count(method: string): number {
    return this.received.filter((r) => r.method === method).length;
  }

  send(text: string, port: number): void {
    this.socket.send(text, port, '127.0.0.1');
  }

  /** A 2xx to `invite` from the dialog with that To tag, Contact at this peer. */
  ok(invite: SipRequest, toTag: string): string {
    const h = invite.headers;
    return [
      'SIP/2.0 200 OK',
      ...h.lines('Via').map((v) => `Via: ${v}`),
      `From: ${h.get('From')}`,
      `To: ${h.get('To')};tag=${toTag}`,
      `Call-ID: ${h.get('Call-ID')}`,
      `CSeq: ${h.get('CSeq')}`,
      `Contact: <sip:${toTag}@127.0.0.1:${this.port}>`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  }

  /** A 200 to an in-dialog request (the BYE). */
  okTo(req: SipRequest): string {
    const h = req.headers;
    return [
      'SIP/2.0 200 OK',
      ...h.lines('Via').map((v) => `Via: ${v}`),
      `From: ${h.get('From')}`,
      `To: ${h.get('To')}`,
      `Call-ID: ${h.get('Call-ID')}`,
      `CSeq: ${h.get('CSeq')}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  }
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('an ended outgoing call, while its INVITE transaction lingers (RFC 6026 §8.4)', () => {
  it('re-ACKs its own answer, ACKs and BYEs a late fork, and is no longer held', async (t) => {
    // T1 = 50 ms: the ACK pacing allows one re-ACK per T1; the linger is 64·T1 = 3.2 s.
    const ua = await UserAgent.create({
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
      timers: { T1: 50, T2: 200, T4: 250 },
    });
    t.after(() => ua.close());
    const peer = await Peer.create();
    t.after(() => peer.socket.close());
    const uaPort = ua.bindings()[0]!.port;

    const invited = peer.next('INVITE');
    let call: OutgoingCall | null = ua.call(`sip:bob@127.0.0.1:${peer.port}`, { sdp: null });
    const answered = new Promise<void>((resolve) => call!.once('answered', () => resolve()));
    const ended = new Promise<void>((resolve) => call!.once('ended', () => resolve()));
    const invite = await invited;

    const firstAck = peer.next('ACK');
    peer.send(peer.ok(invite, 'ours'), uaPort);
    await answered;
    const ack = await firstAck;

    const bye = peer.next('BYE');
    call.hangup();
    peer.send(peer.okTo(await bye), uaPort);
    await ended;
    const weak = new WeakRef(call);
    call = null;

    // Our answer again (a retransmission the peer sent before it saw the ACK): the same ACK, branch included.
    await settle(60);
    const again = peer.next('ACK');
    peer.send(peer.ok(invite, 'ours'), uaPort);
    const reAck = await again;
    assert.equal(reAck.topVia().params.get('branch'), ack.topVia().params.get('branch'));
    assert.equal(reAck.to().params.get('tag'), 'ours');

    // Another fork answers late: ACKed and ended at its own Contact.
    const forkAck = peer.next('ACK');
    const forkBye = peer.next('BYE');
    peer.send(peer.ok(invite, 'late-fork'), uaPort);
    assert.equal((await forkAck).to().params.get('tag'), 'late-fork');
    const byeToFork = await forkBye;
    assert.equal(byeToFork.to().params.get('tag'), 'late-fork');
    assert.match(formatUri(byeToFork.uri), /^sip:late-fork@127\.0\.0\.1:/);
    peer.send(peer.okTo(byeToFork), uaPort);

    // Only the fork was BYEd: our own dialog got the one BYE of the hangup.
    await settle(100);
    assert.equal(peer.count('BYE'), 2);
    assert.equal(
      peer.received.filter((r) => r.method === 'BYE' && r.to().params.get('tag') === 'ours').length,
      1,
    );

    // The transaction still lingers (3.2 s), yet nothing holds the call any more.
    for (let i = 0; i < 5 && weak.deref(); i++) {
      await settle(20);
      gc();
    }
    assert.equal(weak.deref(), undefined, 'the ended call is still reachable');
  });
});
