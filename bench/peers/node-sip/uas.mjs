#!/usr/bin/env node
// The "Node peer" of Partyline's call-setup-rate benchmark (bench/cps): a
// minimal answering SIP user agent on the npm package `sip` (0.0.6), so that
// our own stack can be compared with what a plain Node SIP library achieves.
//
// Contract shared by every benchmark target (see bench/cps/README.md):
//   node bench/peers/node-sip/uas.mjs --port <port> [--address 127.0.0.1]
//   - listens on UDP <address>:<port>;
//   - prints "READY <port>" on stdout once it answers requests;
//   - INVITE -> 200 OK (To tag, Contact, SDP answer), ACK absorbed,
//     BYE -> 200 OK (481 outside a dialog), anything else -> 405;
//   - exits on SIGTERM / SIGINT.
//
// `sip` implements the transactions (RFC 3261 §17) but leaves the UAS core to
// us. We add what a real UA core must do and a bare library would not: retransmit
// the 2xx until the ACK arrives (RFC 3261 §13.3.1.4) and keep the dialog so a BYE
// can be matched (RFC 3261 §12.2.2, §15.1.2). That keeps the comparison fair with
// sipgo's dialog layer and with Partyline's UA, which both pay for it.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { parseArgs } from 'node:util';
import sip from 'sip';

const T1 = 500; // RFC 3261 §17.1.1.1
const T2 = 4000;
const ALLOW = 'INVITE, ACK, BYE, CANCEL';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    address: { type: 'string', default: '127.0.0.1' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: uas.mjs --port <1-65535> [--address 127.0.0.1]');
  process.exit(2);
}
const address = values.address;
const contact = [{ uri: `sip:peer@${address}:${port}`, params: {} }];

/** Dialogs by Call-ID + remote tag + local tag (RFC 3261 §12). */
const dialogs = new Map();

function dialogId(callId, remoteTag, localTag) {
  return `${callId}\n${remoteTag}\n${localTag}`;
}

function sdpAnswer() {
  // A fixed RFC 4566 answer accepting PCMU; no media flows in this benchmark.
  return (
    'v=0\r\n' +
    `o=- 1 1 IN IP4 ${address}\r\n` +
    's=-\r\n' +
    `c=IN IP4 ${address}\r\n` +
    't=0 0\r\n' +
    `m=audio ${port + 2} RTP/AVP 0\r\n` +
    'a=rtpmap:0 PCMU/8000\r\n' +
    'a=sendrecv\r\n'
  );
}
const answer = sdpAnswer();

/** A response whose To carries `toTag`; makeResponse shares header objects with the request, so To is copied. */
function respond(rq, status, reason, toTag, extension) {
  const rs = sip.makeResponse(rq, status, reason, extension);
  if (toTag !== undefined) {
    rs.headers.to = { ...rq.headers.to, params: { ...rq.headers.to.params, tag: toTag } };
  }
  sip.send(rs);
  return rs;
}

function onInvite(rq) {
  const remoteTag = rq.headers.from.params?.tag;
  if (rq.headers.to.params?.tag !== undefined) {
    // A re-INVITE: this peer keeps no session to modify (RFC 3261 §14.2).
    const known = dialogs.has(dialogId(rq.headers['call-id'], remoteTag, rq.headers.to.params.tag));
    respond(
      rq,
      known ? 488 : 481,
      known ? 'Not Acceptable Here' : 'Call/Transaction Does Not Exist',
    );
    return;
  }
  const localTag = randomBytes(8).toString('hex');
  const rs = respond(rq, 200, 'OK', localTag, {
    headers: { contact, 'content-type': 'application/sdp' },
    content: answer,
  });
  const id = dialogId(rq.headers['call-id'], remoteTag, localTag);
  const dialog = { cseq: rq.headers.cseq.seq, timer: undefined, giveUp: undefined };
  // RFC 3261 §13.3.1.4: resend the 2xx at T1, doubling up to T2, until the
  // ACK arrives; after 64*T1 without one the dialog is abandoned.
  let interval = T1;
  const resend = () => {
    sip.send(rs);
    interval = Math.min(interval * 2, T2);
    dialog.timer = setTimeout(resend, interval);
  };
  dialog.timer = setTimeout(resend, interval);
  dialog.giveUp = setTimeout(() => {
    clearTimeout(dialog.timer);
    dialogs.delete(id);
  }, 64 * T1);
  dialogs.set(id, dialog);
}

function onAck(rq) {
  const dialog = dialogs.get(
    dialogId(rq.headers['call-id'], rq.headers.from.params?.tag, rq.headers.to.params?.tag),
  );
  if (dialog === undefined || rq.headers.cseq.seq !== dialog.cseq) return;
  clearTimeout(dialog.timer);
  clearTimeout(dialog.giveUp);
  dialog.timer = dialog.giveUp = undefined;
}

function onBye(rq) {
  const id = dialogId(
    rq.headers['call-id'],
    rq.headers.from.params?.tag,
    rq.headers.to.params?.tag,
  );
  const dialog = dialogs.get(id);
  if (dialog === undefined) {
    respond(rq, 481, 'Call/Transaction Does Not Exist');
    return;
  }
  // A BYE also ends 2xx retransmission if the ACK was lost.
  clearTimeout(dialog.timer);
  clearTimeout(dialog.giveUp);
  dialogs.delete(id);
  respond(rq, 200, 'OK');
}

function onRequest(rq) {
  switch (rq.method) {
    case 'INVITE':
      return onInvite(rq);
    case 'ACK':
      return onAck(rq);
    case 'BYE':
      return onBye(rq);
    case 'CANCEL':
      // Every INVITE is answered synchronously, so a CANCEL always arrives
      // after the final response and has no effect (RFC 3261 §9.2); it gets 200.
      return respond(rq, 200, 'OK');
    default:
      // RFC 3261 §21.4.6: a 405 carries Allow.
      return respond(rq, 405, 'Method Not Allowed', undefined, { headers: { allow: ALLOW } });
  }
}

sip.start(
  {
    port,
    address,
    udp: true,
    tcp: false,
    logger: { error: (e) => console.error('sip error:', e) },
  },
  (rq) => {
    try {
      onRequest(rq);
    } catch (e) {
      // sip answers 500 for a throwing handler only on some paths; answer here
      // so a malformed request never leaves its transaction hanging.
      console.error('handler error:', e);
      if (rq.method !== 'ACK') respond(rq, 500, 'Server Internal Error');
    }
  },
);

// `sip` binds its socket without telling us when it is done, so readiness is
// proved end to end: send OPTIONS from a probe socket until an answer comes.
function announceWhenAnswering() {
  const probe = dgram.createSocket('udp4');
  const callId = `ready-probe-${randomBytes(6).toString('hex')}`;
  let timer;
  const deadline = Date.now() + 5000;
  probe.on('message', (data) => {
    if (!data.toString('latin1').includes(callId)) return;
    clearTimeout(timer);
    probe.close();
    process.stdout.write(`READY ${port}\n`);
  });
  probe.bind(0, address, () => {
    const { port: probePort } = probe.address();
    const options =
      `OPTIONS sip:peer@${address}:${port} SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP ${address}:${probePort};branch=z9hG4bK${randomBytes(8).toString('hex')}\r\n` +
      'Max-Forwards: 70\r\n' +
      `From: <sip:probe@${address}:${probePort}>;tag=probe\r\n` +
      `To: <sip:peer@${address}:${port}>\r\n` +
      `Call-ID: ${callId}\r\n` +
      'CSeq: 1 OPTIONS\r\n' +
      'Content-Length: 0\r\n\r\n';
    const send = () => {
      if (Date.now() > deadline) {
        console.error(`no answer on ${address}:${port} within 5 s`);
        process.exit(1);
      }
      probe.send(options, port, address);
      timer = setTimeout(send, 50);
    };
    send();
  });
}
announceWhenAnswering();

function shutdown() {
  sip.stop();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
