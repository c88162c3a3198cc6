/**
 * Carrier basics of ending and steering calls: the Reason header (RFC
 * 3326) on our BYEs and CANCELs and the far end's surfaced with its Q.850
 * cause; 3xx redirects followed to the best target, bounded, loop-free
 * (RFC 3261 §8.1.3.4); a merged request answered 482 (§8.2.2.2).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import type { CallFailure, IncomingCall, RemoteReason, UserAgent } from '../../src/sip/ua/index.js';
import { formatUri } from '../../src/sip/message/index.js';
import { SipPeer } from '../support/sipp.js';
import { next, scenario, sdp, startUa, uaPort } from './helpers.js';

type Ended = { by: string; reason: string; remote?: RemoteReason };

describe('Reason (RFC 3326), redirects (§8.1.3.4), merged requests (§8.2.2.2)', () => {
  let ua: UserAgent;
  before(async () => {
    ua = await startUa();
  });
  after(async () => {
    await ua.close();
  });

  it('our BYE says Q.850 cause 16, normal call clearing', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-reason-bye.xml') });
    t.after(() => sipp.stop());
    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    await next(call, 'answered', 5_000, ['failed']);
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await sipp.passed();
  });

  it('the CANCEL of our ring timeout says Q.850 cause 19, no answer', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-reason-cancel.xml') });
    t.after(() => sipp.stop());
    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp(), ringTimeoutMs: 300 });
    const failure = await next<CallFailure>(call, 'failed', 5_000, ['answered']);
    assert.equal(failure.cause, 'no-answer');
    await sipp.passed();
  });

  it("the far end's BYE Reason, both values and the Q.850 cause, is on ended", async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-reason-remote-bye.xml') });
    t.after(() => sipp.stop());
    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    const ended = await next<Ended>(call, 'ended', 5_000, ['failed']);
    assert.equal(ended.by, 'remote');
    assert.deepEqual(ended.remote, {
      reasons: [
        { protocol: 'SIP', cause: 200, text: 'Call completed elsewhere' },
        { protocol: 'Q.850', cause: 31, text: 'Normal, unspecified' },
      ],
      q850Cause: 31,
    });
    await sipp.passed();
  });

  it("a 486's Reason (Q.850 cause 17, user busy) is on failed", async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-reason-busy.xml') });
    t.after(() => sipp.stop());
    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    const failure = await next<CallFailure>(call, 'failed', 5_000, ['answered']);
    assert.equal(failure.cause, 'busy');
    assert.equal(failure.remote?.q850Cause, 17);
    assert.deepEqual(failure.remote?.reasons, [
      { protocol: 'Q.850', cause: 17, text: 'User busy' },
    ]);
    await sipp.passed();
  });

  it("a caller's CANCEL Reason (SIP 200, completed elsewhere) is on failed", async (t) => {
    const incoming = next<IncomingCall>(ua, 'invite');
    const sipp = await SipPeer.start({
      scenario: scenario('uac-cancel-reason.xml'),
      remote: `127.0.0.1:${uaPort(ua)}`,
      service: 'partyline',
    });
    t.after(() => sipp.stop());
    const call = await sipp.during(incoming);
    const failed = next<CallFailure>(call, 'failed', 5_000, ['answered']);
    call.ring();
    const failure = await sipp.during(failed);
    assert.equal(failure.cause, 'canceled');
    assert.deepEqual(failure.remote, {
      reasons: [{ protocol: 'SIP', cause: 200, text: 'Call completed elsewhere' }],
    });
    await sipp.passed();
  });

  it('302 with two Contacts: the q=0.9 target gets the INVITE (same Call-ID and To, next CSeq) and answers', async (t) => {
    const target = await SipPeer.start({ scenario: scenario('uas-answer.xml') });
    t.after(() => target.stop());
    const redirector = await SipPeer.start({
      scenario: scenario('uas-redirect.xml'),
      keys: { target_port: String(target.port), high_user: 'moved', low_user: 'never' },
    });
    t.after(() => redirector.stop());

    const call = ua.call(`sip:service@${redirector.address}`, { sdp: sdp() });
    await next(call, 'answered', 5_000, ['failed']);
    const invite = call.lastInvite!;
    assert.equal(formatUri(invite.uri), `sip:moved@127.0.0.1:${target.port}`);
    assert.equal(invite.cseq().seq, 2);
    assert.equal(invite.callId(), call.callId);
    assert.equal(invite.headers.get('to'), `<sip:service@${redirector.address}>`);
    await redirector.passed();
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await target.passed();
  });

  it('a redirect chain stops after 5 hops, a loop at once; the failure is the last 302', async (t) => {
    const server = await redirectServer(t, (user, port) =>
      user === 'loop'
        ? `<sip:loop@127.0.0.1:${port}>`
        : `<sip:hop${Number(user.slice(3) || 0) + 1}@127.0.0.1:${port}>`,
    );
    const chain = ua.call(`sip:hop0@127.0.0.1:${server.port}`, { sdp: sdp() });
    const failure = await next<CallFailure>(chain, 'failed', 5_000, ['answered']);
    assert.equal(failure.status, 302);
    assert.deepEqual(server.users.splice(0), ['hop0', 'hop1', 'hop2', 'hop3', 'hop4', 'hop5']);

    const loop = ua.call(`sip:loop@127.0.0.1:${server.port}`, { sdp: sdp() });
    assert.equal((await next<CallFailure>(loop, 'failed', 5_000, ['answered'])).status, 302);
    assert.deepEqual(server.users, ['loop']);
  });

  it('a merged INVITE (same From tag, Call-ID and CSeq, another branch) gets 482; the first still rings', async (t) => {
    const socket = await udpSocket(t);
    const port = socket.address().port;
    const invite = (branch: string): string =>
      [
        `INVITE sip:partyline@127.0.0.1:${uaPort(ua)} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch}`,
        'From: <sip:forker@127.0.0.1>;tag=merged-1',
        `To: <sip:partyline@127.0.0.1:${uaPort(ua)}>`,
        'Call-ID: merged-call@127.0.0.1',
        'CSeq: 7 INVITE',
        `Contact: <sip:forker@127.0.0.1:${port}>`,
        'Max-Forwards: 70',
        'Content-Type: application/sdp',
        `Content-Length: ${Buffer.byteLength(sdp())}`,
        '',
        sdp(),
      ].join('\r\n');
    const incoming = next<IncomingCall>(ua, 'invite');
    const replies: string[] = [];
    socket.on('message', (m) => replies.push(m.toString()));
    socket.send(invite('z9hG4bK-path-a'), uaPort(ua), '127.0.0.1');
    const call = await incoming;
    let offered = 0;
    const count = (): void => void offered++;
    ua.on('invite', count);
    t.after(() => ua.off('invite', count));
    socket.send(invite('z9hG4bK-path-b'), uaPort(ua), '127.0.0.1');
    // A retransmission of the first (same branch) is absorbed by its transaction, not 482.
    socket.send(invite('z9hG4bK-path-a'), uaPort(ua), '127.0.0.1');
    await until(() => replies.some((r) => r.startsWith('SIP/2.0 482')));
    const loop = replies.find((r) => r.startsWith('SIP/2.0 482'))!;
    assert.match(loop, /branch=z9hG4bK-path-b/);
    assert.equal(replies.filter((r) => r.startsWith('SIP/2.0 482')).length, 1);
    assert.equal(offered, 0);
    const failed = next<CallFailure>(call, 'failed');
    call.ring();
    call.reject(486);
    await failed.catch(() => undefined);
    assert.equal(call.state, 'terminated');
  });
});

async function udpSocket(t: { after(fn: () => void): void }): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  t.after(() => socket.close());
  return socket;
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A redirect server on a plain UDP socket: every INVITE gets a 302 to contactFor(user), every ACK is taken. */
async function redirectServer(
  t: { after(fn: () => void): void },
  contactFor: (user: string, port: number) => string,
): Promise<{ port: number; users: string[] }> {
  const socket = await udpSocket(t);
  const port = socket.address().port;
  const users: string[] = [];
  socket.on('message', (m, rinfo) => {
    const text = m.toString();
    const start = /^INVITE sip:([^@]+)@/.exec(text);
    if (!start) return;
    users.push(start[1]!);
    const header = (name: string): string => new RegExp(`^${name}:.*$`, 'mi').exec(text)?.[0] ?? '';
    const response = [
      'SIP/2.0 302 Moved Temporarily',
      ...text.split('\r\n').filter((l) => /^Via:/i.test(l)),
      header('From'),
      `${header('To')};tag=redirect`,
      header('Call-ID'),
      header('CSeq'),
      `Contact: ${contactFor(start[1]!, port)}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    socket.send(response, rinfo.port, rinfo.address);
  });
  return { port, users };
}
