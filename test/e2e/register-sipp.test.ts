/**
 * REGISTER with a trunk (RFC 3261 §10.2) against a SIPp registrar that
 * challenges (401, digest MD5 qop=auth), binds us for 2 s only, takes the
 * refresh that must come before that, and the un-REGISTER when we close.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { RegistrationStatus, UserAgent } from '../../src/sip/ua/index.js';
import { startSippRegistrar } from '../support/registrar.js';
import { startUa } from './helpers.js';

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('401 then 200, a refresh before the 2 s binding expires, Expires: 0 on close', async (t) => {
  const { sipp, trunk } = await startSippRegistrar(t, 'n-0123456789');
  const ua: UserAgent = await startUa({ trunks: [trunk] });
  let closed = false;
  t.after(async () => {
    if (!closed) await ua.close();
  });
  const status = (): RegistrationStatus => ua.registrationStatus()[0]!;
  assert.equal(ua.registrationStatus().length, 1);
  await sipp.during(until(() => status().state === 'registered', 'registered'));
  assert.deepEqual(status(), {
    trunk: 'carrier',
    state: 'registered',
    expires: 2,
    lastStatus: 200,
    failures: 0,
    registrar: `udp:127.0.0.1:${sipp.port}`,
  });
  // The refresh: granted 60 s this time.
  await sipp.during(until(() => status().expires === 60, 'refreshed', 4_000));
  await ua.close();
  closed = true;
  assert.equal(status().state, 'stopped');
  await sipp.passed();
});
