import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_AUTH_TOKEN_LENGTH,
  SCRYPT_PARAMS,
  TokenVerifier,
  hashToken,
  newAuthToken,
  verifyToken,
} from '../../src/account/index.js';

const TOKEN = 'Y2FsbCBtZSBtYXliZQ-not-a-real-token-0123456789';

describe('hashToken / verifyToken', async () => {
  const stored = await hashToken(TOKEN);

  it('writes scrypt$N$r$p$<salt b64>$<key b64> with the documented parameters', () => {
    const parts = stored.split('$');
    assert.equal(parts.length, 6);
    assert.deepEqual(parts.slice(0, 4), ['scrypt', '16384', '8', '1']);
    assert.equal(Buffer.from(parts[4]!, 'base64').length, SCRYPT_PARAMS.saltBytes);
    assert.equal(Buffer.from(parts[5]!, 'base64').length, SCRYPT_PARAMS.keyBytes);
    assert.ok(!stored.includes(TOKEN));
  });
  it('salts every hash afresh', async () => {
    assert.notEqual(await hashToken(TOKEN), stored);
  });
  it('accepts the token', async () => {
    assert.equal(await verifyToken(TOKEN, stored), true);
  });
  it('rejects other tokens', async () => {
    for (const t of ['', TOKEN + 'x', TOKEN.slice(0, -1), TOKEN.toUpperCase(), newAuthToken()]) {
      assert.equal(await verifyToken(t, stored), false, t);
    }
  });
  it('verifies a hash made with other (stored) parameters', async () => {
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.from('0123456789abcdef0123');
    const key = scryptSync(TOKEN, salt, 24, { N: 1024, r: 4, p: 2 });
    const custom = `scrypt$1024$4$2$${salt.toString('base64')}$${key.toString('base64')}`;
    assert.equal(await verifyToken(TOKEN, custom), true);
    assert.equal(await verifyToken('other', custom), false);
  });

  const [, , , , salt, key] = stored.split('$');
  const malformed: unknown[] = [
    '',
    'scrypt',
    TOKEN,
    stored + '$',
    stored.replace('scrypt$', 'bcrypt$'),
    stored.replace('$16384$', '$16383$'), // not a power of two
    stored.replace('$16384$', '$1$'),
    stored.replace('$16384$', '$016384$'),
    stored.replace('$16384$', '$4194304$'), // beyond the memory bound
    stored.replace('$8$1$', '$0$1$'),
    stored.replace('$8$1$', '$8$0$'),
    stored.replace('$8$1$', '$8$99$'),
    stored.replace('$8$1$', '$x$1$'),
    `scrypt$16384$8$1$$${key}`,
    `scrypt$16384$8$1$${salt}$`,
    `scrypt$16384$8$1$${salt}$${key!.slice(0, -2)}`,
    `scrypt$16384$8$1$${salt}$***`,
    `scrypt$16384$8$1$AAAA$${key}`, // 3-byte salt
    `scrypt$16384$8$1$${salt}$AAAA`, // 3-byte key
    'x'.repeat(10_000),
    null,
    undefined,
    42,
    { toString: () => stored },
  ];
  for (const [i, bad] of malformed.entries()) {
    it(`returns false, never throws, for malformed stored value #${i}`, async () => {
      assert.equal(await verifyToken(TOKEN, bad as string), false);
    });
  }
  it('returns false for a non-string or over-long token', async () => {
    assert.equal(await verifyToken(undefined as unknown as string, stored), false);
    assert.equal(await verifyToken(42 as unknown as string, stored), false);
    assert.equal(await verifyToken('a'.repeat(MAX_AUTH_TOKEN_LENGTH + 1), stored), false);
  });
});

/** The real verifyToken, counted: the cache's whole point is how often it runs. */
function counted() {
  const calls: string[] = [];
  return {
    calls,
    verifyToken: (token: string, stored: string) => {
      calls.push(token);
      return verifyToken(token, stored);
    },
  };
}

describe('TokenVerifier', async () => {
  const ID = 'MAXXXXXXXXXXXXXXXXXX';
  const OTHER = 'MAYYYYYYYYYYYYYYYYYY';
  const stored = await hashToken(TOKEN);
  const otherToken = newAuthToken();
  const otherStored = await hashToken(otherToken);

  it('runs scrypt once for a pair verified again and again', async () => {
    const c = counted();
    const v = new TokenVerifier({ verifyToken: c.verifyToken });
    for (let i = 0; i < 20; i++) assert.equal(await v.verify(ID, TOKEN, stored), true);
    assert.equal(c.calls.length, 1);
    assert.equal(v.size, 1);
  });
  it('shares one scrypt among concurrent verifications of the same pair', async () => {
    const c = counted();
    const v = new TokenVerifier({ verifyToken: c.verifyToken });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => v.verify(ID, TOKEN, stored)),
    );
    assert.deepEqual(results, Array(10).fill(true));
    assert.equal(c.calls.length, 1);
  });
  it('asks admit before each full check only: not for a remembered pair, nor for one joining a running check', async () => {
    const c = counted();
    const v = new TokenVerifier({ verifyToken: c.verifyToken });
    let admitted = 0;
    const admit = (): void => void admitted++;
    const first = await Promise.all(
      Array.from({ length: 5 }, () => v.verify(ID, TOKEN, stored, admit)),
    );
    assert.deepEqual(first, Array(5).fill(true));
    assert.equal(admitted, 1);
    assert.equal(await v.verify(ID, TOKEN, stored, admit), true);
    assert.equal(admitted, 1, 'a remembered pair costs nothing, so it is not charged');
    assert.equal(await v.verify(ID, 'wrong', stored, admit), false);
    assert.equal(await v.verify(OTHER, TOKEN, null, admit), false);
    assert.equal(
      admitted,
      3,
      'a wrong token and a missing account are charged like any full check',
    );
    assert.equal(c.calls.length, 3);
  });
  it('a refusing admit rejects with what it threw, before any scrypt, and remembers nothing', async () => {
    const c = counted();
    const v = new TokenVerifier({ verifyToken: c.verifyToken });
    const refused = new Error('throttled');
    const refuse = (): void => {
      throw refused;
    };
    await assert.rejects(v.verify(ID, TOKEN, stored, refuse), (err) => err === refused);
    await assert.rejects(v.verify(OTHER, TOKEN, undefined, refuse), (err) => err === refused);
    assert.equal(c.calls.length, 0);
    assert.equal(v.size, 0);
    // Once admitted and remembered, the same pair passes even a refusing admit.
    assert.equal(await v.verify(ID, TOKEN, stored), true);
    assert.equal(await v.verify(ID, TOKEN, stored, refuse), true);
  });
  it('does not remember failures', async () => {
    const c = counted();
    const v = new TokenVerifier({ verifyToken: c.verifyToken });
    assert.equal(await v.verify(ID, 'wrong', stored), false);
    assert.equal(await v.verify(ID, 'wrong', stored), false);
    assert.equal(c.calls.length, 2);
    assert.equal(v.size, 0);
  });
  it('a cached pair does not let a wrong token in', async () => {
    const v = new TokenVerifier();
    assert.equal(await v.verify(ID, TOKEN, stored), true);
    assert.equal(await v.verify(ID, 'wrong', stored), false);
    assert.equal(await v.verify(ID, TOKEN.slice(0, -1), stored), false);
    assert.equal(await v.verify(ID, TOKEN, stored), true);
  });
  it('a token cached for one account does not open another', async () => {
    const v = new TokenVerifier();
    assert.equal(await v.verify(ID, TOKEN, stored), true);
    assert.equal(await v.verify(OTHER, TOKEN, otherStored), false);
    assert.equal(await v.verify(OTHER, otherToken, otherStored), true);
  });
  it('a rotated token (new stored hash) invalidates the entry by itself', async () => {
    const c = counted();
    const v = new TokenVerifier({ verifyToken: c.verifyToken });
    assert.equal(await v.verify(ID, TOKEN, stored), true);
    assert.equal(await v.verify(ID, TOKEN, otherStored), false);
    assert.equal(await v.verify(ID, otherToken, otherStored), true);
    assert.equal(c.calls.length, 3);
  });
  it('invalidate(authId) and clear() forget', async () => {
    const c = counted();
    const v = new TokenVerifier({ verifyToken: c.verifyToken });
    await v.verify(ID, TOKEN, stored);
    await v.verify(OTHER, otherToken, otherStored);
    v.invalidate(ID);
    assert.equal(v.size, 1);
    assert.equal(await v.verify(ID, TOKEN, stored), true);
    assert.equal(c.calls.length, 3);
    v.clear();
    assert.equal(v.size, 0);
    await v.verify(OTHER, otherToken, otherStored);
    assert.equal(c.calls.length, 4);
  });
  it('a verification in flight during invalidate does not repopulate the cache', async () => {
    const v = new TokenVerifier();
    const pending = v.verify(ID, TOKEN, stored);
    v.invalidate(ID);
    assert.equal(await pending, true);
    assert.equal(v.size, 0);
  });
  it('is bounded, dropping the least recently used', async () => {
    const c = counted();
    const v = new TokenVerifier({ maxEntries: 2, verifyToken: c.verifyToken });
    const ids = ['MAAAAAAAAAAAAAAAAAAA', 'MABBBBBBBBBBBBBBBBBB', 'MACCCCCCCCCCCCCCCCCC'];
    await v.verify(ids[0]!, TOKEN, stored);
    await v.verify(ids[1]!, TOKEN, stored);
    await v.verify(ids[0]!, TOKEN, stored); // 0 is now the most recent
    await v.verify(ids[2]!, TOKEN, stored); // evicts 1
    assert.equal(v.size, 2);
    assert.equal(c.calls.length, 3);
    await v.verify(ids[0]!, TOKEN, stored);
    assert.equal(c.calls.length, 3);
    await v.verify(ids[1]!, TOKEN, stored);
    assert.equal(c.calls.length, 4);
  });
  it('an unknown account costs a verification and is false', async () => {
    const c = counted();
    const v = new TokenVerifier({ verifyToken: c.verifyToken });
    assert.equal(await v.verify(ID, TOKEN, null), false);
    assert.equal(await v.verify(ID, TOKEN, undefined), false);
    assert.equal(c.calls.length, 2);
  });
  it('never rejects', async () => {
    const v = new TokenVerifier({
      verifyToken: () => Promise.reject(new Error('boom')),
    });
    assert.equal(await v.verify(ID, TOKEN, stored), false);
    const w = new TokenVerifier();
    assert.equal(await w.verify(ID, TOKEN, 'garbage'), false);
    assert.equal(await w.verify(undefined as unknown as string, TOKEN, stored), false);
    assert.equal(await w.verify(ID, 'a'.repeat(MAX_AUTH_TOKEN_LENGTH + 1), stored), false);
  });
});
