import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatCredentials, parseCredentials } from '../../../src/sip/auth/index.js';

describe('parseCredentials', () => {
  it('parses the RFC 2617 §3.5 Authorization', () => {
    const c = parseCredentials(
      'Digest username="Mufasa", realm="testrealm@host.com", ' +
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, ' +
        'cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    assert.deepEqual(c, {
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      uri: '/dir/index.html',
      response: '6629fae49393a05397450978507c4ef1',
      algorithm: 'MD5',
      cnonce: '0a4f113b',
      nc: '00000001',
      qop: 'auth',
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
    });
  });

  it('accepts a quoted qop and mixed-case algorithm (seen from real phones)', () => {
    const c = parseCredentials(
      'DIGEST username="bob",realm="r",nonce="n",uri="sip:r",response="x",algorithm=sha-256,qop="auth",nc=00000002,cnonce="c"',
    );
    assert.equal(c?.algorithm, 'SHA-256');
    assert.equal(c?.qop, 'auth');
  });

  for (const missing of ['username', 'realm', 'nonce', 'uri', 'response']) {
    it(`returns null without ${missing}`, () => {
      const params: Record<string, string> = {
        username: '"u"',
        realm: '"r"',
        nonce: '"n"',
        uri: '"sip:r"',
        response: '"x"',
      };
      delete params[missing];
      const value =
        'Digest ' +
        Object.entries(params)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ');
      assert.equal(parseCredentials(value), null);
    });
  }

  it('returns null for other schemes, unknown algorithms and garbage', () => {
    assert.equal(parseCredentials('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='), null);
    assert.equal(
      parseCredentials(
        'Digest username="u", realm="r", nonce="n", uri="sip:r", response="x", algorithm=SHA-512',
      ),
      null,
    );
    assert.equal(parseCredentials('Digest username="u'), null);
    assert.equal(parseCredentials(''), null);
  });
});

describe('formatCredentials', () => {
  it('writes string values quoted and algorithm, qop, nc bare, nonce before cnonce', () => {
    const text = formatCredentials({
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      uri: 'sip:bob@example.com',
      response: '6629fae49393a05397450978507c4ef1',
      algorithm: 'MD5',
      cnonce: '0a4f113b',
      nc: '00000001',
      qop: 'auth',
      opaque: 'op',
    });
    assert.equal(
      text,
      'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
        'uri="sip:bob@example.com", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, ' +
        'cnonce="0a4f113b", opaque="op", qop=auth, nc=00000001',
    );
  });

  it('round-trips, escaping quotes and dropping CR/LF so no header can be injected', () => {
    const c = {
      username: 'we"ird\\user',
      realm: 'r',
      nonce: 'n',
      uri: 'sip:a@b',
      response: 'x',
      algorithm: 'SHA-256-sess' as const,
      cnonce: 'c',
      nc: '0000000f',
      qop: 'auth-int',
    };
    assert.deepEqual(parseCredentials(formatCredentials(c)), c);
    const injected = formatCredentials({ ...c, username: 'a\r\nVia: evil' });
    assert.doesNotMatch(injected, /[\r\n]/);
  });
});
