import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CALLBACK_SIGNING_LABEL,
  callbackSigningKey,
  newAuthToken,
} from '../../src/account/index.js';

describe('callbackSigningKey', () => {
  it('is HMAC-SHA256(token, "partyline-callback-signing") in base64', () => {
    assert.equal(CALLBACK_SIGNING_LABEL, 'partyline-callback-signing');
    // From `printf %s partyline-callback-signing | openssl dgst -sha256 -hmac abc123 -binary | base64`.
    assert.equal(callbackSigningKey('abc123'), '4AKgnlI7ehi9MjAqwz1f2yy2/mVsXLBQy7+lY9D6PWs=');
  });

  it('is 32 bytes, the same for the same token, different for another, and not the token', () => {
    const token = newAuthToken();
    const key = callbackSigningKey(token);
    assert.equal(Buffer.from(key, 'base64').length, 32);
    assert.match(key, /^[A-Za-z0-9+/]{43}=$/);
    assert.equal(callbackSigningKey(token), key);
    assert.notEqual(callbackSigningKey(newAuthToken()), key);
    assert.ok(!key.includes(token));
    assert.notEqual(Buffer.from(key, 'base64').toString('utf8'), token);
  });
});
