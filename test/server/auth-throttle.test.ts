/**
 * The real server under a guessing client: each wrong token costs a full
 * scrypt, so one address gets DEFAULT_AUTH_THROTTLE's burst of them, then
 * 429 with Retry-After (that no scrypt runs behind a refusal is counted in
 * test/account/token.test.ts) — while credentials that have authenticated
 * before, from the same address, go on working, and nothing is stored for
 * any of it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { DEFAULT_AUTH_THROTTLE } from '../../src/api/auth-throttle.js';
import { startTestServer } from '../support/partyline-server.js';

test('wrong credentials: a burst of 401s per address, then 429 before any scrypt; known credentials unaffected', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const db = new Database(join(srv.dataDir, 'partyline.db'), { readonly: true });
  t.after(() => db.close());
  const rows = (): number =>
    (db.prepare('SELECT count(*) AS n FROM requests').get() as { n: number }).n;

  // The account authenticates once, before the guessing starts: from then on it is remembered.
  assert.equal((await srv.api('GET', `/v1/phlo/${srv.phloId}`)).status, 200);
  const mpc = `/v1/phlo/${srv.phloId}/multi_party_call/${srv.nodeId}`;
  const body = { action: 'call', to: 'sip:x@127.0.0.1', trigger_source: 'sip:y@127.0.0.1' };
  const wrong = (authId: string) => ({
    authorization: `Basic ${Buffer.from(`${authId}:not-the-token`).toString('base64')}`,
  });
  const before = rows();
  const { burst, perSecond } = DEFAULT_AUTH_THROTTLE.perAddress;
  // Guess until refused: the address had its burst, less the account's own first check, plus
  // what refilled while the guesses ran.
  const t0 = performance.now();
  let refusedAt = -1;
  let limited: Awaited<ReturnType<typeof srv.api>> | undefined;
  for (let i = 0; i < burst + 10 && refusedAt < 0; i++) {
    // Half with the real AUTH_ID, half with one that does not exist: both cost a scrypt.
    const res = await srv.api(
      'POST',
      mpc,
      body,
      wrong(i % 2 ? srv.authId : 'MAZZZZZZZZZZZZZZZZZZ'),
    );
    if (res.status === 429) {
      refusedAt = i;
      limited = res;
    } else assert.equal(res.status, 401, `guess ${i}: ${res.text}`);
  }
  const refilled = Math.ceil(((performance.now() - t0) / 1000) * perSecond);
  assert.ok(
    refusedAt >= burst - 1 && refusedAt <= burst - 1 + refilled,
    `refused after ${refusedAt} guesses (burst ${burst}, ${refilled} refilled)`,
  );
  assert.ok(limited);
  assert.equal(limited.headers.get('retry-after'), '1');
  assert.match(limited.headers.get('content-type') ?? '', /^application\/json/);
  assert.match(String(limited.json.api_id), /^[0-9a-f-]{36}$/);
  assert.match(
    String(limited.json.error),
    /^too many credential checks from 127\.0\.0\.1: retry in 1 s/,
  );
  // The known account's requests from the same address are not slowed by the guesses.
  const ok = await srv.api('GET', `/v1/phlo/${srv.phloId}`);
  assert.equal(ok.status, 200, ok.text);
  // Garbage that never reaches scrypt keeps its 401.
  const junk = await srv.api('GET', `/v1/phlo/${srv.phloId}`, undefined, {
    authorization: 'Basic !!',
  });
  assert.equal(junk.status, 401, junk.text);
  assert.equal(rows(), before, 'nothing stored');
  // A second later the address may try once more.
  await new Promise((r) => setTimeout(r, 1100));
  const again = await srv.api('GET', `/v1/phlo/${srv.phloId}`, undefined, wrong(srv.authId));
  assert.equal(again.status, 401, again.text);
});
