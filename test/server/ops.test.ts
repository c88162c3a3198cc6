/**
 * What an operator reads off a running server: /healthz, /metrics while a
 * call is live (calls, members by state, dial outcomes, RTP, mixer), the
 * OpenAPI document, and log lines that carry the request's api_id and the
 * call's call_id; and the SIP stack's own counters.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { TonePhone } from '../support/phones/index.js';
import { startTestServer } from '../support/partyline-server.js';
import { pino } from 'pino';
import { createSocket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';

test('healthz, metrics during a call, the OpenAPI document, and api_id/call_id on log lines', async (t) => {
  const agent = await TonePhone.start({ behaviour: 'answer', toneHz: 1000, user: 'agent' });
  t.after(() => agent.stop());
  const customer = await TonePhone.start({ behaviour: 'busy', toneHz: 1500, user: 'customer' });
  t.after(() => customer.stop());
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n'))
        if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const srv = await startTestServer({ logger: pino({ level: 'info' }, sink) });
  t.after(() => srv.stop());

  const health = await fetch(`${srv.baseUrl}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });

  const run = await srv.api('POST', `/v1/account/${srv.authId}/phlo/${srv.phloId}`, {
    from: agent.uri,
    to: customer.uri,
  });
  assert.equal(run.status, 201, run.text);
  const callId = String(run.json.call_id);
  await srv.waitCall(
    (c) =>
      c.members.some((m) => m.state === 'connected') && c.members.some((m) => m.state === 'failed'),
    'agent connected, customer busy',
  );
  const metrics = await (await fetch(`${srv.baseUrl}/metrics`)).text();
  assert.match(metrics, /^partyline_live_calls 1$/m);
  assert.match(metrics, /^partyline_members\{state="connected"\} 1$/m);
  assert.match(metrics, /^partyline_members\{state="failed"\} 1$/m);
  assert.match(metrics, /^partyline_dial_outcomes_total\{outcome="connected"\} 1$/m);
  assert.match(metrics, /^partyline_dial_outcomes_total\{outcome="busy"\} 1$/m);
  assert.match(metrics, /^partyline_rtp_jitter_ms\{stat="max"\} /m);
  assert.match(metrics, /^partyline_rtp_packets_lost \d+$/m);
  assert.match(metrics, /^partyline_mixer_tick_lateness_ms\{quantile="0.99"\} /m);
  assert.match(metrics, /^partyline_api_request_duration_seconds_bucket\{/m);

  const doc = (await (await fetch(`${srv.baseUrl}/docs/openapi.json`)).json()) as {
    openapi: string;
    paths: Record<string, unknown>;
  };
  assert.match(doc.openapi, /^3\./);
  assert.ok(
    doc.paths['/v1/phlo/{phlo_id}/multi_party_call/{node_id}'],
    Object.keys(doc.paths).join(' '),
  );
  assert.equal((await fetch(`${srv.baseUrl}/docs`)).status, 200);

  const apiLines = lines.filter((l) => l.api_id === run.json.api_id);
  assert.ok(
    apiLines.length >= 2,
    `the run's request logged with its api_id (${apiLines.length} lines)`,
  );
  const callLines = lines.filter((l) => l.call_id === callId);
  assert.ok(
    callLines.some((l) => l.msg === 'leg failed'),
    'leg lines carry the call_id',
  );
  assert.ok(
    callLines.some((l) => l.event === 'member.connected'),
    'call events carry the call_id',
  );
});

test('metrics: the SIP stack counts what it received, what was malformed, its transactions and its internal errors', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const sipPort = srv.server.engine.ua.bindings().find((b) => b.protocol === 'udp')!.port;
  const scrape = async (): Promise<string> => (await fetch(`${srv.baseUrl}/metrics`)).text();
  const value = (text: string, series: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    assert.ok(line, `${series} in /metrics`);
    return Number(line.slice(series.length + 1));
  };

  const before = await scrape();
  assert.equal(value(before, 'partyline_sip_messages_total{kind="malformed"}'), 0);
  assert.equal(value(before, 'partyline_sip_transactions{side="server"}'), 0);
  assert.equal(value(before, 'partyline_sip_internal_errors_total'), 0);
  assert.equal(value(before, 'partyline_sip_shed_total'), 0);

  // Two datagrams a SIP parser must refuse: no start line, and a request line with no headers.
  const sock = createSocket('udp4');
  t.after(() => sock.close());
  for (const junk of ['this is not SIP\r\n\r\n', 'INVITE sip:x@127.0.0.1 SIP/2.0\r\n\r\n'])
    await new Promise<void>((ok, fail) =>
      sock.send(junk, sipPort, '127.0.0.1', (err) => (err ? fail(err) : ok())),
    );
  let after = await scrape();
  for (
    let i = 0;
    i < 100 && value(after, 'partyline_sip_messages_total{kind="malformed"}') < 2;
    i++
  ) {
    await sleep(20);
    after = await scrape();
  }
  assert.equal(value(after, 'partyline_sip_messages_total{kind="malformed"}'), 2);
  assert.ok(value(after, 'partyline_sip_messages_total{kind="received"}') >= 2);
  // Bad input is bad input, not a bug of ours.
  assert.equal(value(after, 'partyline_sip_internal_errors_total'), 0);
  assert.equal(value(after, 'partyline_sip_shed_total'), 0);
  assert.equal(value(after, 'partyline_sip_tcp_connections'), 0);
});
