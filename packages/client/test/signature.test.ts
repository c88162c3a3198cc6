/**
 * verifyCallbackSignature (Web Crypto) against the server's own signer
 * (src/callbacks signCallback with the key src/account derives), so the two
 * independent implementations are held to the same bytes; and everything
 * malformed is false, never a throw. A delivery the real server signed is
 * verified in phlo.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyCallbackSignature } from '../src/index.js';
import { callbackSigningKey } from '../../../src/account/index.js';
import { newNonce, signCallback } from '../../../src/callbacks/signature.js';

const TOKEN = 'a-long-random-auth-token-0123456789abcdef';
const URL_ = 'https://hooks.example/partyline?x=1&y=é';

test('verifies what the server signs: string and byte bodies, any UTF-8', async () => {
  const now = Date.now();
  const timestamp = String(Math.floor(now / 1000));
  for (const body of ['{"seq":1,"type":"call.initialized"}', '{"name":"Zoë ✓ 電話"}']) {
    const nonce = newNonce();
    const signature = signCallback(
      { url: URL_, nonce, timestamp, body },
      callbackSigningKey(TOKEN),
    );
    assert.equal(
      await verifyCallbackSignature(URL_, nonce, timestamp, body, signature, TOKEN),
      true,
    );
    const bytes = new TextEncoder().encode(body);
    assert.equal(
      await verifyCallbackSignature(URL_, nonce, timestamp, bytes, signature, TOKEN),
      true,
    );
    assert.equal(
      await verifyCallbackSignature(URL_, nonce, timestamp, bytes.buffer, signature, TOKEN),
      true,
    );
    assert.equal(
      await verifyCallbackSignature(`${URL_}&z`, nonce, timestamp, body, signature, TOKEN),
      false,
      'another URL',
    );
  }
});

test('the replay window: ±toleranceSeconds around now (injectable)', async () => {
  const timestamp = '1796154124';
  const nonce = newNonce();
  const body = '{"seq":3}';
  const signature = signCallback({ url: URL_, nonce, timestamp, body }, callbackSigningKey(TOKEN));
  const at = (s: number) => () => (1796154124 + s) * 1000;
  const check = (opts: Parameters<typeof verifyCallbackSignature>[6]) =>
    verifyCallbackSignature(URL_, nonce, timestamp, body, signature, TOKEN, opts);
  assert.equal(await check({ now: at(300) }), true);
  assert.equal(await check({ now: at(-300) }), true);
  assert.equal(await check({ now: at(301) }), false);
  assert.equal(await check({ now: at(-301) }), false);
  assert.equal(await check({ now: at(20), toleranceSeconds: 10 }), false);
  assert.equal(await check({ now: at(20), toleranceSeconds: 30 }), true);
  assert.equal(await check({}), false, 'real now: far past');
});

test('malformed input is false, never a throw', async () => {
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = newNonce();
  const body = '{}';
  const good = signCallback({ url: URL_, nonce, timestamp: ts, body }, callbackSigningKey(TOKEN));
  const cases: [string, string, string, string, string][] = [
    [URL_, nonce.toUpperCase(), ts, good, TOKEN],
    [URL_, nonce.slice(1), ts, good, TOKEN],
    [URL_, nonce, `${ts}.0`, good, TOKEN],
    [URL_, nonce, '', good, TOKEN],
    [URL_, nonce, ts, 'not base64!', TOKEN],
    [URL_, nonce, ts, good.slice(4), TOKEN],
    [URL_, nonce, ts, '', TOKEN],
    [URL_, nonce, ts, good, ''],
  ];
  for (const [u, n, t, sig, token] of cases)
    assert.equal(
      await verifyCallbackSignature(u, n, t, body, sig, token),
      false,
      `${n} ${t} ${sig} ${token}`,
    );
  const wrongType = null as unknown as string;
  assert.equal(await verifyCallbackSignature(URL_, nonce, ts, body, wrongType, TOKEN), false);
});
