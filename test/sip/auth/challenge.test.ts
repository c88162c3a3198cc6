import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatChallenge, parseChallenge } from '../../../src/sip/auth/index.js';

describe('parseChallenge', () => {
  it('parses the RFC 7616 §3.9.1 SHA-256 challenge', () => {
    const c = parseChallenge(
      'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, ' +
        'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
    assert.deepEqual(c, {
      realm: 'http-auth@example.org',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
      algorithm: 'SHA-256',
      qop: ['auth', 'auth-int'],
      stale: false,
    });
  });

  it('defaults to MD5 with no qop (RFC 2069 style)', () => {
    const c = parseChallenge('Digest realm="sipp", nonce="12345"');
    assert.deepEqual(c, { realm: 'sipp', nonce: '12345', algorithm: 'MD5', qop: [], stale: false });
  });

  it('accepts odd but valid spellings', () => {
    const c = parseChallenge(
      '  digest   realm = "atlanta.com" ,nonce="84a4cc6f3082121f32b42a2187831a9e",' +
        '\talgorithm=md5-SESS ,  qop="auth,auth-int" , stale=TRUE, domain="sip:ss1.carrier.com",' +
        ' charset=UTF-8, userhash=false, x-vendor="a, \\"quoted\\" b",',
    );
    assert.ok(c);
    assert.equal(c.realm, 'atlanta.com');
    assert.equal(c.nonce, '84a4cc6f3082121f32b42a2187831a9e');
    assert.equal(c.algorithm, 'MD5-sess');
    assert.deepEqual(c.qop, ['auth', 'auth-int']);
    assert.equal(c.stale, true);
    assert.equal(c.domain, 'sip:ss1.carrier.com');
  });

  it('accepts unquoted and quoted algorithm, bare qop and unquoted base64 nonces', () => {
    const a = parseChallenge('Digest realm="r", nonce=abc/de+f==, algorithm="SHA-256", qop=auth');
    assert.ok(a);
    assert.equal(a.nonce, 'abc/de+f==');
    assert.equal(a.algorithm, 'SHA-256');
    assert.deepEqual(a.qop, ['auth']);
  });

  it('unescapes quoted-pairs in values', () => {
    const c = parseChallenge('Digest realm="a \\"b\\" \\\\c", nonce="n"');
    assert.equal(c?.realm, 'a "b" \\c');
  });

  it('treats stale values other than true as false', () => {
    assert.equal(parseChallenge('Digest realm="r", nonce="n", stale=false')?.stale, false);
    assert.equal(parseChallenge('Digest realm="r", nonce="n", stale="yes"')?.stale, false);
  });

  it('keeps unknown qop values (a client ignores them)', () => {
    assert.deepEqual(parseChallenge('Digest realm="r", nonce="n", qop="x-future"')?.qop, [
      'x-future',
    ]);
  });

  const garbage: [string, string][] = [
    ['other scheme', 'Basic realm="r"'],
    ['Digest lookalike scheme', 'Digestive realm="r", nonce="n"'],
    ['no realm', 'Digest nonce="n"'],
    ['no nonce', 'Digest realm="r"'],
    ['empty nonce', 'Digest realm="r", nonce=""'],
    ['unknown algorithm', 'Digest realm="r", nonce="n", algorithm=SHA-512-256'],
    ['AKA', 'Digest realm="r", nonce="n", algorithm=AKAv1-MD5'],
    ['unterminated quote', 'Digest realm="r, nonce="n'],
    ['missing =', 'Digest realm "r", nonce="n"'],
    ['duplicate parameter', 'Digest realm="r", nonce="n", nonce="m"'],
    ['junk between params', 'Digest realm="r" nonce="n"'],
    ['empty', ''],
    ['scheme only', 'Digest'],
    ['binary', '\u0000\u0001\u00ff"=,,'],
    ['empty value', 'Digest realm=, nonce="n"'],
  ];
  for (const [name, value] of garbage) {
    it(`returns null for ${name}`, () => {
      assert.equal(parseChallenge(value), null);
    });
  }

  it('never throws on random input', () => {
    const alphabet = 'Digest realm=nonce"\\, \t=qopalgorithmMD5stale';
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let n = 0; n < 2000; n++) {
      let s = '';
      const len = rand() % 60;
      for (let i = 0; i < len; i++) s += alphabet[rand() % alphabet.length];
      assert.doesNotThrow(() => parseChallenge(s));
    }
  });
});

describe('formatChallenge', () => {
  it('round-trips through parseChallenge, quoting as RFC 7616 §3.3 writes it', () => {
    const c = {
      realm: 'pa"rty\\line',
      nonce: 'abc',
      opaque: 'o',
      algorithm: 'SHA-256' as const,
      qop: ['auth'],
      stale: true,
    };
    const text = formatChallenge(c);
    assert.equal(
      text,
      'Digest realm="pa\\"rty\\\\line", nonce="abc", opaque="o", stale=true, algorithm=SHA-256, qop="auth"',
    );
    assert.deepEqual(parseChallenge(text), c);
  });
});
