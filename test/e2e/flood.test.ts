/**
 * A hostile sender while calls are live (issue 10 §1, §6): two calls carry
 * tones between real phones (SIPp + RtpTestPeer) through a Partyline server,
 * while one source on 127.0.0.1 floods the server with new INVITEs (random
 * branches and Call-IDs), REGISTERs, OPTIONS and garbage from a process of
 * its own (bench/flood/flooder.ts), at ten times the source's allowed rate.
 *
 * The caps are set small so that every rule is exercised within seconds:
 * the per-source rate limit answers the flood's excess 503 (Retry-After 1),
 * the INVITEs that pass it (404, held by their server transactions for
 * 64·T1) fill the transaction table to its cap, past which new requests get
 * 503 too — while the live calls' in-dialog traffic and their RTP go on.
 * Nothing here asserts a timing figure; the benchmark (bench/flood) measures.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { heardWindow, fromEpoch } from '../../bench/flood/audio.js';
import { readOverloadLog } from '../../bench/flood/episodes.js';
import { floodMessage, readResponse } from '../../bench/flood/messages.js';
import { startFlood } from '../../bench/flood/flood-child.js';
import { sampleServer } from '../../bench/flood/server-stats.js';
import {
  AGENT_HZ,
  CUSTOMER_HZ,
  agentAndCustomer,
  connectedCall,
  startTestServer,
} from '../support/partyline-server.js';
import { sleep } from '../support/phones/index.js';

const CAPS = { maxServerTransactions: 150, maxDialogs: 20, newRequestsPerSecondPerSource: 300 };
const FLOOD_RATE = 3000;
const FLOOD_SECONDS = 4;

test('a flood from one source: live calls keep their audio, tables stay under their caps, the source is rate-limited with one log line per episode', async (t) => {
  const log: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        log.push(chunk.toString());
        done();
      },
    }),
  );
  const srv = await startTestServer({ logger, configure: (c) => Object.assign(c.sip, CAPS) });
  t.after(() => srv.stop());
  const sipPort = srv.server.sipBindings.find((b) => b.protocol === 'udp')!.port;

  const calls = [];
  for (let i = 0; i < 2; i++) {
    const { agent, customer } = await agentAndCustomer(t);
    await connectedCall(srv, agent.uri, customer.uri);
    await agent.waitHearing(CUSTOMER_HZ);
    await customer.waitHearing(AGENT_HZ);
    calls.push({ agent, customer });
  }
  const listeners = calls.flatMap(({ agent, customer }) => [
    { phone: agent, partnerHz: CUSTOMER_HZ },
    { phone: customer, partnerHz: AGENT_HZ },
  ]);

  const sampler = sampleServer(srv.server, 20);
  t.after(() => sampler.stop());
  const flood = startFlood({
    host: '127.0.0.1',
    port: sipPort,
    rate: FLOOD_RATE,
    seconds: FLOOD_SECONDS,
    // A server slowed by a busy machine still answers from its socket buffer after the flood.
    drainMs: 2500,
  });
  t.after(() => flood.child.stop());
  const startedAt = await flood.started;
  const stoppedAt = await flood.stopped;
  const report = await flood.report;
  sampler.stop();

  // The flood went out, and the server answered it statelessly.
  assert.ok(
    report.sent_total >= (FLOOD_RATE * FLOOD_SECONDS) / 4,
    `the flooder sent only ${report.sent_total}: ${JSON.stringify(report)}`,
  );
  const answered = (status: string): number =>
    Object.values(report.first_answers).reduce((n, byAnswer) => n + (byAnswer[status] ?? 0), 0);
  const rateLimited = answered('503 Too Many Requests From This Source');
  const tableFull = answered('503 Server Overloaded');
  assert.ok(rateLimited > 1000, `too few rate-limit 503s: ${JSON.stringify(report.first_answers)}`);
  assert.ok(tableFull > 0, `the table never filled: ${JSON.stringify(report.first_answers)}`);
  assert.ok((report.first_answers.options['200 OK'] ?? 0) > 0, 'OPTIONS within the rate get 200');

  // Tables stayed under their caps the whole time.
  const max = (f: (s: (typeof sampler.samples)[number]) => number): number =>
    Math.max(...sampler.samples.map(f));
  assert.ok(sampler.samples.length > 50, `only ${sampler.samples.length} samples`);
  assert.ok(max((s) => s.serverTransactions) <= CAPS.maxServerTransactions);
  assert.ok(max((s) => s.calls) <= CAPS.maxDialogs);
  assert.ok(max((s) => s.dialogs) <= CAPS.maxDialogs);

  // Live calls kept passing audio during the flood, and still do; none was dropped.
  const during = heardWindow(listeners, fromEpoch(startedAt), fromEpoch(stoppedAt));
  assert.ok(
    during.tone_heard_worst_pct >= 40,
    `a phone heard its partner in too few slices during the flood: ${JSON.stringify(during)}`,
  );
  for (const { phone, partnerHz } of listeners) await phone.waitHearing(partnerHz);
  for (const { phone } of listeners) {
    const hangups = phone.events().filter((e) => e.kind === 'bye-received');
    assert.deepEqual(hangups, [], `${phone.user} was hung up:\n${phone.describeEvents()}`);
  }
  const live = await srv.api('GET', `/v1/phlo/${srv.phloId}/multi_party_call/${srv.nodeId}/calls`);
  const active = (live.json.calls as { state: string }[]).filter((c) => c.state === 'active');
  assert.equal(active.length, 2, live.text);

  // One request from the source once its bucket refilled ends its episode
  // (it may still get a 503 for the table, which drains 64·T1 after the
  // flood). A server slowed by a busy machine may still be reading the
  // flood from its socket buffer: wait until it has read the last of it.
  await sipQuiet(srv.server.engine.ua.transport);
  await sleep(600);
  assert.notEqual(await options(sipPort), 0);
  const episodes = readOverloadLog(log.join(''));
  assert.ok(episodes.rate.started >= 1, 'no rate-limit episode was logged');
  assert.ok(
    episodes.rate.started <= 3,
    `one log line per episode, not per packet: ${episodes.rate.started} for ${rateLimited} refusals`,
  );
  assert.equal(episodes.rate.ended, episodes.rate.started, JSON.stringify(episodes));
  // The episode's line counts every refusal the flooder received (and any it
  // answered after the flooder stopped listening).
  assert.ok(
    rateLimited <= episodes.rate.refused,
    `log says ${episodes.rate.refused} refused, the flooder got ${rateLimited} 503s`,
  );
  assert.ok(episodes.table.started >= 1 && episodes.table.started <= 3, JSON.stringify(episodes));
});

/** Resolves once the SIP transport has received nothing new for 300 ms. */
async function sipQuiet(transport: { stats(): Record<string, number> }): Promise<void> {
  let last = -1;
  for (let still = 0; still < 3;) {
    const received = transport.stats().received;
    still = received === last ? still + 1 : 0;
    last = received;
    await sleep(100);
  }
}

/** One OPTIONS from 127.0.0.1 to the server; resolves with its status once answered. */
async function options(port: number): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  try {
    const local = { host: '127.0.0.1', port: socket.address().port };
    const answer = new Promise<number>((resolve) =>
      socket.on('message', (msg) => {
        const r = readResponse(msg);
        if (r && r.status >= 200) resolve(r.status);
      }),
    );
    socket.send(floodMessage('options', 0, { target: { host: '127.0.0.1', port }, local }), port);
    return await Promise.race([
      answer,
      sleep(5000).then(() => {
        throw new Error('no answer to the OPTIONS after the flood');
      }),
    ]);
  } finally {
    socket.close();
  }
}
