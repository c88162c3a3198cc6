/**
 * First start with an empty store: one account and the example PHLO, and a
 * banner that shows them once — the token is never stored, only its scrypt
 * hash, so this is the one time it can be printed.
 */
import { readFile } from 'node:fs/promises';
import { callbackSigningKey, hashToken, newAuthId, newAuthToken } from '../account/index.js';
import type { Store } from '../store/index.js';
import type { WallClock } from '../mpc/index.js';
import type { PartylineService } from './partyline-service.js';

export interface FirstStart {
  authId: string;
  authToken: string;
  phloId: string;
  nodeId: string;
}

export async function createAccount(
  store: Store,
  now: WallClock,
  name: string,
): Promise<{ authId: string; authToken: string }> {
  const authId = newAuthId();
  const authToken = newAuthToken();
  await store.createAccount({
    authId,
    tokenHash: await hashToken(authToken),
    // Callbacks are signed with a key derived from the token; the token itself is never stored.
    signingKey: callbackSigningKey(authToken),
    name,
    createdOn: now(),
  });
  return { authId, authToken };
}

/** Creates the account and example PHLO when the store has no account; null otherwise. */
export async function firstStart(
  store: Store,
  service: PartylineService,
  now: WallClock,
  examplePath: string,
): Promise<FirstStart | null> {
  if ((await store.countAccounts()) > 0) return null;
  const text = await readFile(examplePath, 'utf8');
  const { authId, authToken } = await createAccount(store, now, 'default');
  const phlo = await service.createPhlo(authId, text, 'first-start');
  const nodes = (phlo.document.nodes as { id: string }[] | undefined) ?? [];
  return { authId, authToken, phloId: phlo.phloId, nodeId: nodes[0]?.id ?? '' };
}

/** The banner, plain text: a person reads it and pastes the curl lines. */
export function firstStartBanner(f: FirstStart, baseUrl: string): string {
  const auth = `${f.authId}:${f.authToken}`;
  return [
    '',
    'Partyline first start: an account and the example PHLO (examples/support-line.yaml) were created.',
    '',
    `  AUTH_ID     ${f.authId}`,
    `  AUTH_TOKEN  ${f.authToken}`,
    `  PHLO id     ${f.phloId}`,
    `  Node id     ${f.nodeId}`,
    '',
    'The token is shown only now (only its hash is stored); `partyline account create` makes more.',
    '',
    `Watch and drive live calls in the console: ${baseUrl}/console (sign in with the above).`,
    '',
    'Run the PHLO (dials "from" as agent, then "to" as customer when the agent answers):',
    `  curl -u ${auth} -H 'Content-Type: application/json' \\`,
    `    -d '{"from":"sip:agent@127.0.0.1:5070","to":"sip:customer@127.0.0.1:5072"}' \\`,
    `    ${baseUrl}/v1/account/${f.authId}/phlo/${f.phloId}`,
    '',
    'Then add a user to the live call:',
    `  curl -u ${auth} -H 'Content-Type: application/json' \\`,
    `    -d '{"action":"call","to":"sip:third@127.0.0.1:5074","role":"agent","trigger_source":"sip:agent@127.0.0.1:5070"}' \\`,
    `    ${baseUrl}/v1/phlo/${f.phloId}/multi_party_call/${f.nodeId}`,
    '',
  ].join('\n');
}
