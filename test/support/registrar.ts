/**
 * A SIPp registrar (test/e2e/scenarios/uas-registrar.xml: 401 with a digest
 * challenge, then 200 binding for 2 s, a refresh, the un-REGISTER) and the
 * trunk that registers with it, for the REGISTER tests of the UserAgent and
 * of the server.
 */
import { join } from 'node:path';
import type { TrunkConfig } from '../../src/sip/ua/index.js';
import type { AfterHook } from './partyline-server.js';
import { SipPeer } from './sipp.js';

const REGISTRAR = join(import.meta.dirname, '..', 'e2e', 'scenarios', 'uas-registrar.xml');

/** Realm carrier.example, account acct / s3cret, the challenge's `nonce`; SIPp stopped when the test ends. */
export async function startSippRegistrar(
  t: AfterHook,
  nonce: string,
): Promise<{ sipp: SipPeer; trunk: TrunkConfig }> {
  const sipp = await SipPeer.start({
    scenario: REGISTRAR,
    keys: { realm: 'carrier.example', nonce, user: 'acct', password: 's3cret' },
  });
  t.after(() => sipp.stop());
  return {
    sipp,
    trunk: {
      name: 'carrier',
      host: '127.0.0.1',
      port: sipp.port,
      username: 'acct',
      password: 's3cret',
      register: true,
    },
  };
}
