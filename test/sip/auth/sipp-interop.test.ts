/**
 * Interop with SIPp as the authenticating UAS: SIPp challenges a REGISTER and
 * checks our DigestClient's answer with its own digest code (verifyauth),
 * answering 200 when it is right and 403 when not. SIPp 3.6.1's verifyauth
 * implements MD5 only, so this covers MD5 with qop=auth; SHA-256 is covered
 * by the RFC 7616 vector and the DigestServer round trips.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DigestClient } from '../../../src/sip/auth/index.js';
import {
  generateBranch,
  parseMessage,
  serializeMessage,
  type SipRequest,
  type SipResponse,
} from '../../../src/sip/message/index.js';
import { onlyCredentials } from './helpers.js';
import { freeUdpPort } from '../../support/ports.js';

const SCENARIO = fileURLToPath(new URL('./scenarios/uas-digest.xml', import.meta.url));
/** Give up on SIPp well after its own -timeout; a guard against a hung test, not a timing assertion. */
const GIVE_UP_MS = 15_000;
/** Resend interval while SIPp may not be listening yet (like RFC 3261 Timer E, T1 = 500 ms). */
const RESEND_MS = 500;

function register(localPort: number, remotePort: number): SipRequest {
  const text = [
    `REGISTER sip:127.0.0.1:${remotePort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=${generateBranch()};rport`,
    'Max-Forwards: 70',
    `From: <sip:alice@127.0.0.1:${remotePort}>;tag=pl-${localPort}`,
    `To: <sip:alice@127.0.0.1:${remotePort}>`,
    `Call-ID: sipp-interop-${localPort}@127.0.0.1`,
    'CSeq: 1 REGISTER',
    `Contact: <sip:alice@127.0.0.1:${localPort}>`,
    'Expires: 60',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const r = parseMessage(text);
  assert.ok(r.ok);
  return r.message as SipRequest;
}

/** Sends `req` until a final response with its CSeq arrives. */
function transact(sock: dgram.Socket, req: SipRequest, port: number): Promise<SipResponse> {
  const wire = serializeMessage(req);
  const seq = req.cseq().seq;
  return new Promise<SipResponse>((resolve, reject) => {
    const send = (): void => sock.send(wire, port, '127.0.0.1');
    const resend = setInterval(send, RESEND_MS);
    const giveUp = setTimeout(
      () => finish(new Error(`no final response to CSeq ${seq}`)),
      GIVE_UP_MS,
    );
    const onMessage = (data: Buffer): void => {
      const r = parseMessage(data);
      if (!r.ok || r.message.kind !== 'response') return;
      const res = r.message;
      if (res.status >= 200 && res.cseq().seq === seq) finish(undefined, res);
    };
    const finish = (err?: Error, res?: SipResponse): void => {
      clearInterval(resend);
      clearTimeout(giveUp);
      sock.off('message', onMessage);
      if (res) resolve(res);
      else reject(err);
    };
    sock.on('message', onMessage);
    send();
  });
}

/** Registers as alice with `password` against a fresh SIPp; the challenge, the final answer and what we sent. */
async function registerWithSipp(password: string) {
  const port = await freeUdpPort();
  const workdir = mkdtempSync(join(tmpdir(), 'partyline-sipp-'));
  const args = [
    '-sf',
    SCENARIO,
    '-m',
    '1',
    '-timeout',
    '10s',
    '-i',
    '127.0.0.1',
    '-p',
    String(port),
    '-nostdin',
  ];
  const sipp = spawn('sipp', args, { cwd: workdir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  sipp.stdout.on('data', (d: Buffer) => (output += d.toString()));
  sipp.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => {
    sipp.on('exit', (code) => resolve(code));
    sipp.on('error', () => resolve(null));
  });
  const sock = dgram.createSocket('udp4');
  try {
    sock.bind(0, '127.0.0.1');
    await once(sock, 'listening');
    const localPort = sock.address().port;
    const client = new DigestClient({ username: 'alice', password });

    const req = register(localPort, port);
    const challenge = await transact(sock, req, port);
    assert.equal(challenge.status, 401, `SIPp challenges first (output: ${output})`);
    assert.equal(client.authorize(req, challenge), true);

    // A new transaction: next CSeq, new branch (RFC 3261 §22.2, §8.1.1.7).
    req.headers.set('CSeq', '2 REGISTER');
    req.headers.set('Via', `SIP/2.0/UDP 127.0.0.1:${localPort};branch=${generateBranch()};rport`);
    const final = await transact(sock, req, port);
    return { final, sent: req, exitCode: await exited, output };
  } finally {
    sock.close();
    if (sipp.pid !== undefined && sipp.exitCode === null && sipp.signalCode === null) {
      process.kill(sipp.pid, 'SIGKILL');
    }
    await exited;
    rmSync(workdir, { recursive: true, force: true });
  }
}

describe('DigestClient against SIPp verifyauth', () => {
  it('is accepted with the right password (200)', async () => {
    const { final, sent, exitCode, output } = await registerWithSipp('wonderland');
    const creds = onlyCredentials(sent);
    assert.equal(creds.algorithm, 'MD5');
    assert.equal(creds.qop, 'auth');
    assert.equal(creds.nc, '00000001');
    assert.equal(final.status, 200, `SIPp output: ${output}`);
    assert.equal(exitCode, 0, `SIPp reports the call successful (output: ${output})`);
  });

  it('is refused with a wrong password (403) — the check can fail', async () => {
    const { final, output } = await registerWithSipp('looking-glass');
    assert.equal(final.status, 403, `SIPp output: ${output}`);
  });
});
