import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { callbackSigningKey } from '../../src/account/index.js';
import {
  CALLBACK_HEADERS,
  signCallback,
  verifyCallbackSignature,
  type SignedCallback,
} from '../../src/callbacks/index.js';

const TOKEN = 'abc123';
const NOW = Date.parse('2026-12-01T12:00:00Z');
const now = () => NOW;

function signed(over: Partial<SignedCallback> = {}): SignedCallback {
  const input = {
    url: 'https://example.com/hooks/partyline?x=1',
    nonce: '0123456789abcdef0123456789abcdef',
    timestamp: String(NOW / 1000),
    body: '{"event_id":"e1","seq":1}',
  };
  return { ...input, signature: signCallback(input, callbackSigningKey(TOKEN)), ...over };
}

describe('callback signatures', () => {
  it('names the documented headers', () => {
    assert.deepEqual(CALLBACK_HEADERS, {
      signature: 'X-Partyline-Signature',
      nonce: 'X-Partyline-Nonce',
      timestamp: 'X-Partyline-Timestamp',
      eventId: 'X-Partyline-Event-Id',
    });
  });

  it('is base64 HMAC-SHA256(k, url + nonce + timestamp + body), k = HMAC-SHA256(token, label)', () => {
    const s = signed();
    // The README's 10-line verifier, as a receiver without Partyline's code would write it.
    const k = createHmac('sha256', TOKEN).update('partyline-callback-signing').digest();
    const expected = createHmac('sha256', k)
      .update(s.url + s.nonce + s.timestamp)
      .update(s.body)
      .digest('base64');
    assert.equal(s.signature, expected);
    assert.match(s.signature, /^[A-Za-z0-9+/]{43}=$/);
  });

  it('verifies a good signature, over a string body or its bytes', () => {
    assert.equal(verifyCallbackSignature(signed(), TOKEN, { now }), true);
    const s = signed();
    assert.equal(
      verifyCallbackSignature({ ...s, body: Buffer.from(s.body as string) }, TOKEN, { now }),
      true,
    );
    assert.equal(
      verifyCallbackSignature(
        { ...s, body: new Uint8Array(Buffer.from(s.body as string)) },
        TOKEN,
        {
          now,
        },
      ),
      true,
    );
  });

  it('refuses any change to url, nonce, timestamp, body or signature, and another token', () => {
    const s = signed();
    const cases: [string, SignedCallback, string?][] = [
      ['url', { ...s, url: s.url + '&y=2' }],
      ['url host', { ...s, url: s.url.replace('example.com', 'example.org') }],
      ['nonce', { ...s, nonce: 'f' + s.nonce.slice(1) }],
      ['timestamp', { ...s, timestamp: String(NOW / 1000 + 1) }],
      ['body', { ...s, body: '{"event_id":"e1","seq":2}' }],
      ['body whitespace', { ...s, body: '{"event_id": "e1","seq":1}' }],
      ['signature', { ...s, signature: 'A' + s.signature.slice(1) }],
      ['truncated signature', { ...s, signature: s.signature.slice(0, 20) }],
      ['empty signature', { ...s, signature: '' }],
      ['another token', s, 'abc124'],
    ];
    for (const [what, c, token] of cases) {
      assert.equal(verifyCallbackSignature(c, token ?? TOKEN, { now }), false, what);
    }
  });

  it('refuses a nonce or timestamp of the wrong shape, so parts cannot slide into each other', () => {
    const key = callbackSigningKey(TOKEN);
    const base = signed();
    // Moving the nonce's last digit into the timestamp keeps the signed string the same.
    const slid = { ...base, nonce: base.nonce.slice(0, 31), timestamp: 'f' + base.timestamp };
    assert.equal(signCallback(slid, key), base.signature);
    assert.equal(verifyCallbackSignature(slid, TOKEN, { now }), false);
    for (const nonce of ['', 'ABCDEF0123456789ABCDEF0123456789', '0123', 'x'.repeat(32)]) {
      const input = { ...base, nonce };
      const c = { ...input, signature: signCallback(input, key) };
      assert.equal(verifyCallbackSignature(c, TOKEN, { now }), false, nonce);
    }
    for (const timestamp of ['', '-1', '1.5', '1e9', ' 1764590400']) {
      const input = { ...base, timestamp };
      const c = { ...input, signature: signCallback(input, key) };
      assert.equal(verifyCallbackSignature(c, TOKEN, { now }), false, timestamp);
    }
  });

  it('refuses a timestamp outside the replay window, either way', () => {
    const s = signed();
    assert.equal(verifyCallbackSignature(s, TOKEN, { now: () => NOW + 300_000 }), true);
    assert.equal(verifyCallbackSignature(s, TOKEN, { now: () => NOW - 300_000 }), true);
    assert.equal(verifyCallbackSignature(s, TOKEN, { now: () => NOW + 301_000 }), false);
    assert.equal(verifyCallbackSignature(s, TOKEN, { now: () => NOW - 301_000 }), false);
    assert.equal(
      verifyCallbackSignature(s, TOKEN, { now: () => NOW + 20_000, toleranceSeconds: 10 }),
      false,
    );
    assert.equal(
      verifyCallbackSignature(s, TOKEN, { now: () => NOW + 5_000, toleranceSeconds: 10 }),
      true,
    );
  });

  it('never throws, whatever it is given', () => {
    const s = signed();
    const junk = [null, undefined, 1, {}, [], 'x'] as unknown[];
    for (const j of junk) {
      assert.equal(verifyCallbackSignature(j as SignedCallback, TOKEN, { now }), false);
      assert.equal(
        verifyCallbackSignature({ ...s, body: j } as SignedCallback, TOKEN, { now }),
        false,
      );
      assert.equal(
        verifyCallbackSignature({ ...s, url: j } as SignedCallback, TOKEN, { now }),
        false,
      );
      assert.equal(verifyCallbackSignature(s, j as string, { now }), false);
    }
    assert.equal(
      verifyCallbackSignature(s, TOKEN, { now: () => Number.NaN }),
      false,
      'a broken clock is no pass',
    );
  });
});
