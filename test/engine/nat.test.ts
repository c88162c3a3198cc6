/**
 * A phone behind NAT (RFC 3581, RFC 4961 symmetric RTP) calls the engine:
 * its Via, Contact and SDP c= name 10.255.255.1 (a private address nobody
 * here can reach) while its SIP and RTP really come from its own sockets
 * on 127.0.0.1. The engine must still get and send audio — latched to the
 * RTP source on the phone's SIP source host, learnt again when a new SDP
 * comes (the phone's NAT rebinds to another port) — and its in-dialog BYE
 * must reach the phone through the flow its SIP came from last (its
 * re-INVITE, after the NAT rebound that port too), not the Contact.
 * Audio is proved by tone detection (Goertzel) at both ends.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { test, type TestContext } from 'node:test';
import { RtpTestPeer } from '../support/rtp-peer.js';
import { HEARD_DB, formatDb, levelDb, waitFor } from '../support/phones/index.js';
import { nextEvent, nextIncoming, phone, sipPort, startEngine } from './helpers.js';

const PRIVATE = '10.255.255.1';
const PHONE_HZ = 1000;
const NAT_HZ = 700;

/** The NATed phone's SIP: a plain UDP socket writing its private address everywhere. */
class NatPhone {
  readonly messages: string[] = [];
  private waiters: (() => void)[] = [];
  private toTag = '';
  private ourContact = '';
  private seq = 1;
  readonly callId = `nat-${Date.now()}@${PRIVATE}`;

  private constructor(
    private socket: Socket,
    private readonly engine: number,
  ) {
    this.listen(socket);
  }

  static async open(t: TestContext, engine: number): Promise<NatPhone> {
    const phone = new NatPhone(await bound(), engine);
    t.after(() => phone.socket.close());
    return phone;
  }

  /** Its NAT rebinds the SIP flow: the old port is gone, the phone's SIP now leaves from a new one. */
  async rebind(): Promise<void> {
    const old = this.socket;
    this.socket = await bound();
    this.listen(this.socket);
    await new Promise<void>((resolve) => old.close(() => resolve()));
  }

  private listen(socket: Socket): void {
    socket.on('message', (m) => {
      this.messages.push(m.toString('latin1'));
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** The next message matching `re` not yet taken. */
  async take(re: RegExp, timeoutMs = 5_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex((m) => re.test(m));
      if (i >= 0) return this.messages.splice(i, 1)[0]!;
      if (Date.now() > deadline)
        throw new Error(
          `NAT phone: no ${re} (got ${this.messages.map((m) => m.split('\r\n')[0]).join(' | ')})`,
        );
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  private send(text: string): void {
    this.socket.send(text, this.engine, '127.0.0.1');
  }

  private sdp(version: number): string {
    return [
      'v=0',
      `o=nat 1 ${version} IN IP4 ${PRIVATE}`,
      's=-',
      `c=IN IP4 ${PRIVATE}`,
      't=0 0',
      'm=audio 7078 RTP/AVP 0',
      'a=rtpmap:0 PCMU/8000',
      'a=sendrecv',
      '',
    ].join('\r\n');
  }

  private request(method: string, uri: string, branch: string, body = ''): string {
    const to = `<sip:partyline@127.0.0.1:${this.engine}>${this.toTag ? `;tag=${this.toTag}` : ''}`;
    return [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${PRIVATE}:5062;rport;branch=${branch}`,
      `From: <sip:+15550002222@${PRIVATE}>;tag=nat-from`,
      `To: ${to}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${this.seq} ${method}`,
      `Contact: <sip:nat@${PRIVATE}:5062>`,
      'Max-Forwards: 70',
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  }

  /** INVITE (or re-INVITE) with the private SDP; resolves with the RTP port of our answer, after the ACK. */
  async invite(version: number): Promise<number> {
    const uri = this.ourContact || `sip:partyline@127.0.0.1:${this.engine}`;
    this.seq = version;
    this.send(this.request('INVITE', uri, `z9hG4bK-nat-invite-${version}`, this.sdp(version)));
    const ok = await this.take(/^SIP\/2\.0 200 [\s\S]*CSeq: \d+ INVITE/);
    this.toTag = /^To:.*;tag=([^;\s]+)/im.exec(ok)![1]!;
    this.ourContact = /^Contact:\s*<([^>]+)>/im.exec(ok)![1]!;
    this.send(this.request('ACK', this.ourContact, `z9hG4bK-nat-ack-${version}`));
    return Number(/^m=audio (\d+)/m.exec(ok)![1]);
  }

  /** Answers a BYE that reached this socket with 200. */
  async answerBye(): Promise<string> {
    const bye = await this.take(/^BYE /);
    const keep = bye.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
    this.send(['SIP/2.0 200 OK', ...keep, 'Content-Length: 0', '', ''].join('\r\n'));
    return bye;
  }
}

async function bound(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

async function hears(peer: RtpTestPeer, since: number, what: string): Promise<void> {
  let last = -Infinity;
  await waitFor(
    () => {
      last = levelDb(peer.receivedSince(Math.max(since, peer.now() - 200)), PHONE_HZ);
      return last >= HEARD_DB ? last : undefined;
    },
    5_000,
    () => `${what} does not hear ${PHONE_HZ} Hz: ${formatDb(last)}`,
  );
}

test('a phone behind NAT (private c=, Via and Contact) gets audio both ways, re-latched on a new SDP, and our BYE through its flow', async (t) => {
  const engine = await startEngine(t);
  const agent = await phone(t, { behaviour: 'answer', toneHz: PHONE_HZ, user: 'agent' });
  const rtp1 = await RtpTestPeer.open({ codec: 'PCMU' });
  const rtp2 = await RtpTestPeer.open({ codec: 'PCMU' });
  t.after(async () => {
    await rtp1.close();
    await rtp2.close();
  });
  const nat = await NatPhone.open(t, sipPort(engine));
  const conference = engine.createConference('nat');
  const agentLeg = engine.dial(agent.uri, conference);
  await agent.sipp.during(nextEvent(agentLeg, 'answered', { failOn: ['failed'] }));

  const incoming = nextIncoming(engine);
  const answering = nat.invite(1);
  const leg = await incoming;
  assert.equal(await leg.answer(conference), true);
  const ourPort = await answering;

  // Its RTP comes from its real socket, not from 10.255.255.1:7078 as its SDP says.
  rtp1.setRemote(ourPort);
  rtp1.startTone(NAT_HZ);
  await agent.waitHearing(NAT_HZ);
  await hears(rtp1, rtp1.now(), 'the NATed phone');

  // A new SDP (same private c= and port) and a NAT rebinding: its RTP and its SIP now leave
  // from other ports (the re-INVITE comes from the new SIP port; the old one is closed).
  rtp1.stop();
  await new Promise((r) => setTimeout(r, 60));
  await nat.rebind();
  const reinvited = await nat.invite(2);
  assert.equal(reinvited, ourPort);
  rtp2.setRemote(ourPort);
  rtp2.startTone(NAT_HZ);
  const since = rtp2.now();
  await hears(rtp2, since, 'the NATed phone after rebinding');
  await agent.waitHearing(NAT_HZ);

  // Our BYE goes to the flow as the re-INVITE left it (127.0.0.1 and the phone's new SIP port),
  // not to its Contact 10.255.255.1:5062 nor to the port the NAT gave up.
  const ended = nextEvent(leg, 'ended');
  leg.hangup();
  const bye = await nat.answerBye();
  assert.match(bye, /^BYE sip:nat@10\.255\.255\.1:5062 SIP\/2\.0/);
  await ended;
});
