/**
 * A registration-based trunk as an operator sees it: the server registers
 * at start (a SIPp registrar answering 401 then 200), says so in its log,
 * and /metrics shows the trunk registered with no failures in a row.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { startTestServer } from '../support/partyline-server.js';
import { startSippRegistrar } from '../support/registrar.js';

test('the trunk registers at start: a log line, partyline_trunk_registered 1 in /metrics', async (t) => {
  const { sipp, trunk } = await startSippRegistrar(t, 'n-42');
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n'))
        if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const srv = await startTestServer({
    logger: pino({ level: 'info' }, sink),
    trunks: [trunk],
  });
  let stopped = false;
  t.after(async () => {
    if (!stopped) await srv.stop();
  });
  const deadline = Date.now() + 5_000;
  let metrics = '';
  while (Date.now() < deadline) {
    metrics = await (await fetch(`${srv.baseUrl}/metrics`)).text();
    if (/^partyline_trunk_registered\{trunk="carrier"\} 1$/m.test(metrics)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.match(metrics, /^partyline_trunk_registered\{trunk="carrier"\} 1$/m);
  assert.match(metrics, /^partyline_trunk_registration_failures\{trunk="carrier"\} 0$/m);
  assert.ok(
    lines.some((l) => l.msg === 'trunk registered' && l.trunk === 'carrier'),
    'a log line says the trunk registered',
  );
  // Let the 2 s binding be refreshed, then stop: the server's close un-REGISTERs.
  await new Promise((r) => setTimeout(r, 1_500));
  await srv.stop();
  stopped = true;
  await sipp.passed();
});
