import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeDigestResponse, DigestClient } from '../../../src/sip/auth/index.js';
import { challengeTo, counterCnonce, credentialsOf, onlyCredentials, request } from './helpers.js';

const TRUNK_URI = 'sip:+15551234567@trunk.example.com';

function client(realm?: string): DigestClient {
  return new DigestClient(
    { username: 'alice', password: 's3cret', ...(realm !== undefined ? { realm } : {}) },
    { cnonce: counterCnonce() },
  );
}

describe('DigestClient.authorize', () => {
  it('answers a 401 with Authorization carrying a correct MD5 qop=auth response', () => {
    const req = request();
    const ok = client().authorize(
      req,
      challengeTo(
        req,
        401,
        'Digest realm="trunk", nonce="n1", algorithm=MD5, qop="auth", opaque="op1"',
      ),
    );
    assert.equal(ok, true);
    assert.equal(req.headers.lines('Proxy-Authorization').length, 0);
    const c = onlyCredentials(req);
    assert.deepEqual(c, {
      username: 'alice',
      realm: 'trunk',
      nonce: 'n1',
      uri: TRUNK_URI,
      algorithm: 'MD5',
      qop: 'auth',
      nc: '00000001',
      cnonce: 'c1',
      opaque: 'op1',
      response: computeDigestResponse({
        algorithm: 'MD5',
        username: 'alice',
        realm: 'trunk',
        password: 's3cret',
        method: 'INVITE',
        uri: TRUNK_URI,
        nonce: 'n1',
        cnonce: 'c1',
        nc: '00000001',
        qop: 'auth',
      }),
    });
  });

  it('answers a 407 with Proxy-Authorization only', () => {
    const req = request();
    assert.equal(
      client().authorize(
        req,
        challengeTo(req, 407, 'Digest realm="proxy", nonce="p1", qop="auth"'),
      ),
      true,
    );
    assert.equal(req.headers.lines('Authorization').length, 0);
    assert.equal(onlyCredentials(req, 'Proxy-Authorization').realm, 'proxy');
  });

  it('ignores challenges on other statuses and in the wrong header', () => {
    const req = request();
    const c = client();
    const forbidden = challengeTo(req, 401, 'Digest realm="r", nonce="n"');
    forbidden.status = 403;
    assert.equal(c.authorize(req, forbidden), false);
    const wrongHeader = challengeTo(req, 407);
    wrongHeader.headers.append('WWW-Authenticate', 'Digest realm="r", nonce="n"');
    assert.equal(c.authorize(req, wrongHeader), false);
    assert.equal(req.headers.has('Authorization') || req.headers.has('Proxy-Authorization'), false);
  });

  it('prefers SHA-256 over MD5 whatever the order (RFC 8760 §2.4)', () => {
    const req = request();
    const res = challengeTo(
      req,
      401,
      'Digest realm="trunk", nonce="n-md5", algorithm=MD5, qop="auth"',
      'Digest realm="trunk", nonce="n-sha", algorithm=SHA-256, qop="auth"',
    );
    assert.equal(client().authorize(req, res), true);
    const c = onlyCredentials(req);
    assert.equal(c.algorithm, 'SHA-256');
    assert.equal(c.nonce, 'n-sha');
    assert.equal(c.response.length, 64);
  });

  it('skips challenges it cannot answer and uses the usable one', () => {
    const req = request();
    const res = challengeTo(
      req,
      401,
      'Digest realm="trunk", nonce="x", algorithm=SHA-512-256, qop="auth"',
      'Basic realm="trunk"',
      'Digest realm="trunk", nonce="y", qop="x-unknown"',
      'Digest realm="trunk", nonce="z", algorithm=MD5-sess',
      'Digest realm="trunk", nonce="ok", algorithm=MD5, qop="auth"',
    );
    assert.equal(client().authorize(req, res), true);
    assert.equal(onlyCredentials(req).nonce, 'ok');
  });

  it('returns false when no challenge is usable', () => {
    const req = request();
    const res = challengeTo(
      req,
      401,
      'Basic realm="x"',
      'Digest realm="trunk", nonce="y", qop="x-unknown"',
    );
    assert.equal(client().authorize(req, res), false);
    assert.equal(client().authorize(req, challengeTo(req, 401)), false);
    assert.equal(req.headers.has('Authorization'), false);
  });

  it('only answers its configured realm', () => {
    const req = request();
    const c = client('trunk');
    assert.equal(
      c.authorize(req, challengeTo(req, 401, 'Digest realm="other", nonce="n", qop="auth"')),
      false,
    );
    assert.equal(req.headers.has('Authorization'), false);
    assert.equal(
      c.authorize(req, challengeTo(req, 401, 'Digest realm="trunk", nonce="n", qop="auth"')),
      true,
    );
  });

  it('uses auth-int over the body when that is all the server offers', () => {
    const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n';
    const req = request({ body: sdp });
    assert.equal(
      client().authorize(req, challengeTo(req, 401, 'Digest realm="r", nonce="n", qop="auth-int"')),
      true,
    );
    const c = onlyCredentials(req);
    assert.equal(c.qop, 'auth-int');
    const expected = computeDigestResponse({
      algorithm: 'MD5',
      username: 'alice',
      realm: 'r',
      password: 's3cret',
      method: 'INVITE',
      uri: TRUNK_URI,
      nonce: 'n',
      cnonce: c.cnonce,
      nc: '00000001',
      qop: 'auth-int',
      body: Buffer.from(sdp),
    });
    assert.equal(c.response, expected);
  });

  it('answers an RFC 2069 challenge (no qop) without qop, nc or cnonce', () => {
    const req = request();
    assert.equal(
      client().authorize(req, challengeTo(req, 401, 'Digest realm="sipp", nonce="abc"')),
      true,
    );
    const c = onlyCredentials(req);
    assert.equal(c.qop, undefined);
    assert.equal(c.nc, undefined);
    assert.equal(c.cnonce, undefined);
    assert.equal(
      c.response,
      computeDigestResponse({
        algorithm: 'MD5',
        username: 'alice',
        realm: 'sipp',
        password: 's3cret',
        method: 'INVITE',
        uri: TRUNK_URI,
        nonce: 'abc',
      }),
    );
  });

  it('refuses to answer the same nonce twice without stale (wrong password: no loop)', () => {
    const req = request();
    const c = client();
    const res = challengeTo(req, 401, 'Digest realm="trunk", nonce="n1", qop="auth"');
    assert.equal(c.authorize(req, res), true);
    const before = req.headers.get('Authorization');
    assert.equal(c.authorize(req, res), false);
    assert.equal(req.headers.get('Authorization'), before, 'request left untouched');
  });

  it('refuses a fresh nonce without stale after its answer was rejected (resent request)', () => {
    const req = request({ cseq: 1 });
    const c = client();
    assert.equal(
      c.authorize(req, challengeTo(req, 401, 'Digest realm="trunk", nonce="n1", qop="auth"')),
      true,
    );
    req.headers.set('CSeq', '2 INVITE');
    assert.equal(
      c.authorize(req, challengeTo(req, 401, 'Digest realm="trunk", nonce="n2", qop="auth"')),
      false,
    );
  });

  it('refuses a fresh nonce without stale after its answer was rejected (new request per retry)', () => {
    const c = client();
    const first = request({ cseq: 1 });
    const retry = request({ cseq: 2 });
    assert.equal(
      c.authorize(retry, challengeTo(first, 401, 'Digest realm="trunk", nonce="n1", qop="auth"')),
      true,
    );
    const again = request({ cseq: 3 });
    assert.equal(
      c.authorize(again, challengeTo(retry, 401, 'Digest realm="trunk", nonce="n2", qop="auth"')),
      false,
    );
    assert.equal(again.headers.has('Authorization'), false);
  });

  it('answers a new call challenged with a nonce already used on another call (trunks reuse nonces)', () => {
    const c = client();
    const call1 = request({ callId: 'call-1' });
    const fixed = 'Digest realm="trunk", nonce="fixed", qop="auth"';
    assert.equal(c.authorize(call1, challengeTo(call1, 401, fixed)), true);
    const call2 = request({ callId: 'call-2' });
    assert.equal(c.authorize(call2, challengeTo(call2, 401, fixed)), true);
    assert.equal(onlyCredentials(call2).nc, '00000002');
  });

  it('retries when the server says stale=true, with a fresh nonce or even the same one, but not forever', () => {
    const req = request();
    const c = client();
    assert.equal(
      c.authorize(req, challengeTo(req, 401, 'Digest realm="trunk", nonce="n1", qop="auth"')),
      true,
    );
    assert.equal(
      c.authorize(
        req,
        challengeTo(req, 401, 'Digest realm="trunk", nonce="n2", qop="auth", stale=true'),
      ),
      true,
    );
    let cr = onlyCredentials(req);
    assert.equal(cr.nonce, 'n2');
    assert.equal(cr.nc, '00000001');
    assert.equal(
      c.authorize(
        req,
        challengeTo(req, 401, 'Digest realm="trunk", nonce="n2", qop="auth", stale=TRUE'),
      ),
      true,
    );
    cr = onlyCredentials(req);
    assert.equal(cr.nc, '00000002', 'same nonce again: next nonce-count');
    assert.equal(
      c.authorize(
        req,
        challengeTo(req, 401, 'Digest realm="trunk", nonce="n3", qop="auth", stale=true'),
      ),
      false,
      'a server that is always "stale" is not answered forever',
    );
  });

  it('uses a fresh cnonce for every answer', () => {
    const req = request();
    const c = new DigestClient({ username: 'alice', password: 's3cret' });
    c.authorize(req, challengeTo(req, 401, 'Digest realm="trunk", nonce="n1", qop="auth"'));
    const a = onlyCredentials(req).cnonce;
    c.authorize(
      req,
      challengeTo(req, 401, 'Digest realm="trunk", nonce="n2", qop="auth", stale=true'),
    );
    const b = onlyCredentials(req).cnonce;
    assert.ok(a && b && a.length >= 16);
    assert.notEqual(a, b);
  });

  it('keeps one credentials line per realm, replacing only the realm answered', () => {
    const req = request();
    const c = client();
    assert.equal(
      c.authorize(req, challengeTo(req, 407, 'Digest realm="edge", nonce="e1", qop="auth"')),
      true,
    );
    assert.equal(
      c.authorize(req, challengeTo(req, 407, 'Digest realm="core", nonce="k1", qop="auth"')),
      true,
    );
    assert.deepEqual(
      credentialsOf(req, 'Proxy-Authorization').map((x) => [x.realm, x.nonce]),
      [
        ['edge', 'e1'],
        ['core', 'k1'],
      ],
    );
    assert.equal(
      c.authorize(
        req,
        challengeTo(req, 407, 'Digest realm="edge", nonce="e2", qop="auth", stale=true'),
      ),
      true,
    );
    assert.deepEqual(
      credentialsOf(req, 'Proxy-Authorization').map((x) => [x.realm, x.nonce]),
      [
        ['edge', 'e2'],
        ['core', 'k1'],
      ],
    );
  });

  it('answers every realm of one challenge response', () => {
    const req = request();
    const res = challengeTo(
      req,
      407,
      'Digest realm="a", nonce="na", qop="auth"',
      'Digest realm="b", nonce="nb", qop="auth"',
    );
    assert.equal(client().authorize(req, res), true);
    assert.deepEqual(
      credentialsOf(req, 'Proxy-Authorization').map((x) => x.realm),
      ['a', 'b'],
    );
  });
});

describe('DigestClient.preauthorize', () => {
  it('returns false with nothing cached', () => {
    const req = request({ method: 'BYE' });
    assert.equal(client().preauthorize(req), false);
    assert.equal(req.headers.has('Authorization'), false);
  });

  it('re-applies the cached challenge to later requests with increasing nc', () => {
    const c = client();
    const invite = request();
    c.authorize(
      invite,
      challengeTo(invite, 401, 'Digest realm="trunk", nonce="n1", algorithm=SHA-256, qop="auth"'),
    );
    assert.equal(onlyCredentials(invite).nc, '00000001');

    const bye = request({ method: 'BYE', cseq: 3 });
    assert.equal(c.preauthorize(bye), true);
    const b = onlyCredentials(bye);
    assert.equal(b.nonce, 'n1');
    assert.equal(b.nc, '00000002');
    assert.equal(b.algorithm, 'SHA-256');
    assert.equal(
      b.response,
      computeDigestResponse({
        algorithm: 'SHA-256',
        username: 'alice',
        realm: 'trunk',
        password: 's3cret',
        method: 'BYE',
        uri: TRUNK_URI,
        nonce: 'n1',
        cnonce: b.cnonce,
        nc: '00000002',
        qop: 'auth',
      }),
    );

    const reinvite = request({ cseq: 4 });
    c.preauthorize(reinvite);
    assert.equal(onlyCredentials(reinvite).nc, '00000003');
  });

  it('keeps the first cnonce for -sess algorithms (the session key binds it, RFC 7616 §3.4.2)', () => {
    const c = client();
    const invite = request();
    c.authorize(
      invite,
      challengeTo(invite, 401, 'Digest realm="trunk", nonce="n1", algorithm=MD5-sess, qop="auth"'),
    );
    const bye = request({ method: 'BYE', cseq: 2 });
    c.preauthorize(bye);
    assert.equal(onlyCredentials(bye).cnonce, onlyCredentials(invite).cnonce);
    assert.equal(onlyCredentials(bye).nc, '00000002');
  });

  it('does not answer a challenge repeating the nonce it already used, unless stale', () => {
    const c = client();
    const invite = request();
    c.authorize(invite, challengeTo(invite, 401, 'Digest realm="trunk", nonce="n1", qop="auth"'));
    const bye = request({ method: 'BYE', cseq: 2 });
    c.preauthorize(bye);
    const before = bye.headers.get('Authorization');
    assert.equal(
      c.authorize(bye, challengeTo(bye, 401, 'Digest realm="trunk", nonce="n1", qop="auth"')),
      false,
    );
    assert.equal(bye.headers.get('Authorization'), before);
    assert.equal(
      c.authorize(
        bye,
        challengeTo(bye, 401, 'Digest realm="trunk", nonce="n1", qop="auth", stale=true'),
      ),
      true,
    );
    assert.equal(onlyCredentials(bye).nc, '00000003');
  });

  it('a refused guess is not a refused answer: a fresh challenge is answered', () => {
    const c = client();
    const invite = request();
    c.authorize(invite, challengeTo(invite, 401, 'Digest realm="trunk", nonce="n1", qop="auth"'));
    const bye = request({ method: 'BYE', cseq: 2 });
    c.preauthorize(bye);
    // The trunk wants a fresh nonce per request (and does not bother with stale=true).
    assert.equal(
      c.authorize(bye, challengeTo(bye, 401, 'Digest realm="trunk", nonce="n2", qop="auth"')),
      true,
    );
    const cr = onlyCredentials(bye);
    assert.equal(cr.nonce, 'n2');
    assert.equal(cr.nc, '00000001');
  });
});
