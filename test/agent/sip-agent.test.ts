/**
 * The stand-alone SIP agent (what `npm start` runs today), against SIPp and
 * with a real RTP socket: it answers with an SDP and echoes RTP, or rejects
 * with the configured status.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import pino from 'pino';
import { validateConfig } from '../../src/config/index.js';
import { startSipAgent } from '../../src/agent/index.js';
import { UserAgent } from '../../src/sip/ua/index.js';
import { SipPeer } from '../support/sipp.js';

const logger = pino({ level: 'silent' });
const scenario = (name: string, dir = '../e2e/scenarios'): string =>
  fileURLToPath(new URL(`${dir}/${name}`, import.meta.url));

function agentConfig(agent: Record<string, unknown>) {
  return validateConfig({
    logLevel: 'silent',
    sip: { address: '127.0.0.1', port: 0, transports: ['udp'] },
    agent,
  });
}

test('answer mode: SIPp is rung, answered with SDP, and its BYE accepted', async (t) => {
  const agent = await startSipAgent(agentConfig({ mode: 'answer', answerAfterMs: 0 }), logger);
  t.after(() => agent.stop());
  const port = agent.ua.bindings()[0]!.port;
  const sipp = await SipPeer.start({
    scenario: scenario('uac-call.xml'),
    remote: `127.0.0.1:${port}`,
    service: 'echo',
  });
  t.after(() => sipp.stop());
  await sipp.passed();
});

test('reject mode: SIPp gets the configured status', async (t) => {
  const agent = await startSipAgent(agentConfig({ mode: 'reject', rejectStatus: 486 }), logger);
  t.after(() => agent.stop());
  const port = agent.ua.bindings()[0]!.port;
  const sipp = await SipPeer.start({
    scenario: scenario('uac-rejected.xml', './scenarios'),
    remote: `127.0.0.1:${port}`,
    service: 'busy',
  });
  t.after(() => sipp.stop());
  await sipp.passed();
});

test('answered calls echo RTP back to the signalled address', async (t) => {
  const agent = await startSipAgent(agentConfig({ mode: 'answer', answerAfterMs: 0 }), logger);
  t.after(() => agent.stop());
  const port = agent.ua.bindings()[0]!.port;
  const rtp = createSocket('udp4');
  rtp.bind(0, '127.0.0.1');
  await once(rtp, 'listening');
  t.after(() => rtp.close());
  const caller = await UserAgent.create({
    listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
  });
  t.after(() => caller.close());
  const sdp = `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${rtp.address().port} RTP/AVP 8 0\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n`;
  const call = caller.call(`sip:echo@127.0.0.1:${port}`, { sdp });
  const [answered] = (await once(call, 'answered')) as [{ sdp: string }];
  assert.match(
    answered.sdp,
    /m=audio (\d+) RTP\/AVP 8\r?\n/,
    'the agent picks the first offered G.711 codec',
  );
  const remotePort = Number(/m=audio (\d+)/.exec(answered.sdp)![1]);
  const packet = Buffer.alloc(172);
  packet[0] = 0x80;
  packet[1] = 8;
  packet.write('partyline-echo', 12);
  const echoed = once(rtp, 'message');
  rtp.send(packet, remotePort, '127.0.0.1');
  const [msg] = (await echoed) as [Buffer];
  assert.deepEqual(msg, packet);
  const ended = once(call, 'ended');
  call.hangup();
  await ended;
});

test('an offer without G.711 is refused with 488', async (t) => {
  const agent = await startSipAgent(agentConfig({ mode: 'answer', answerAfterMs: 0 }), logger);
  t.after(() => agent.stop());
  const port = agent.ua.bindings()[0]!.port;
  const caller = await UserAgent.create({
    listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
  });
  t.after(() => caller.close());
  const sdp =
    'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 9\r\na=rtpmap:9 G722/8000\r\n';
  const call = caller.call(`sip:echo@127.0.0.1:${port}`, { sdp });
  const [failure] = (await once(call, 'failed')) as [{ status?: number; cause: string }];
  assert.equal(failure.status, 488);
  assert.equal(failure.cause, 'failed');
});
