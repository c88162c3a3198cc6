import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AUTH_ID_LENGTH,
  AUTH_TOKEN_LENGTH,
  isValidAuthId,
  newAuthId,
  newAuthToken,
} from '../../src/account/index.js';

describe('newAuthId', () => {
  it('is MA + 18 uppercase letters and digits, as the Python, Java and Ruby SDKs require', () => {
    for (let i = 0; i < 200; i++) {
      const id = newAuthId();
      assert.equal(id.length, AUTH_ID_LENGTH);
      assert.match(id, /^MA[A-Z0-9]{18}$/);
      assert.ok(isValidAuthId(id));
    }
  });
  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, newAuthId));
    assert.equal(ids.size, 1000);
  });
  it('uses the whole alphabet', () => {
    const seen = new Set([...Array.from({ length: 200 }, newAuthId).join('')]);
    for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') assert.ok(seen.has(ch), ch);
  });
});

describe('isValidAuthId', () => {
  const valid = ['MAXXXXXXXXXXXXXXXXXX', 'MA0123456789ABCDEFGH', 'SAXXXXXXXXXXXXXXXXXX'];
  const invalid: unknown[] = [
    '',
    'MA',
    'MAXXXXXXXXXXXXXXXXX', // 19
    'MAXXXXXXXXXXXXXXXXXXX', // 21
    'XAXXXXXXXXXXXXXXXXXX',
    'maXXXXXXXXXXXXXXXXXX',
    'MAxxxxxxxxxxxxxxxxxx',
    'MAXXXXXXXXXXXXXXXXX-',
    'MAXXXXXXXXXXXXXXXXX ',
    ' MAXXXXXXXXXXXXXXXXX',
    'MAXXXXXXXXXXXXXXXXX\n',
    42,
    null,
    undefined,
  ];
  for (const id of valid) it(`accepts ${id}`, () => assert.equal(isValidAuthId(id), true));
  for (const id of invalid) {
    it(`rejects ${JSON.stringify(id)}`, () => assert.equal(isValidAuthId(id), false));
  }
});

describe('newAuthToken', () => {
  it('is long, URL-safe and random', () => {
    const tokens = Array.from({ length: 500 }, newAuthToken);
    for (const t of tokens) {
      assert.equal(t.length, AUTH_TOKEN_LENGTH);
      assert.ok(t.length >= 40);
      assert.match(t, /^[A-Za-z0-9]+$/);
      assert.equal(encodeURIComponent(t), t);
    }
    assert.equal(new Set(tokens).size, tokens.length);
  });
});
