import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeDigestResponse,
  DigestClient,
  DigestServer,
  formatCredentials,
  parseChallenge,
  type DigestAlgorithm,
  type DigestServerOptions,
} from '../../../src/sip/auth/index.js';
import { parseUri, type SipRequest } from '../../../src/sip/message/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import { onlyCredentials, request } from './helpers.js';

const USERS: Record<string, string> = { alice: 'wonderland', bob: 'builder' };
const lookup = (u: string): string | undefined => USERS[u];
const PHONE_URI = 'sip:conference@partyline.example.com';

function server(opts: Partial<DigestServerOptions> = {}): {
  server: DigestServer;
  clock: ManualClock;
} {
  const clock = new ManualClock();
  clock.advance(1_000_000);
  return { server: new DigestServer({ realm: 'partyline', lookup, clock, ...opts }), clock };
}

/** A phone's request, challenged by `srv` and answered by a DigestClient with that password. */
function answered(
  srv: DigestServer,
  username: string,
  password: string,
  req = request({ uri: PHONE_URI }),
) {
  const phone = new DigestClient({ username, password });
  assert.equal(phone.authorize(req, srv.challenge(req)), true);
  return { req, phone };
}

function editCredentials(
  req: SipRequest,
  edit: (v: string) => string,
  name = 'Authorization',
): void {
  req.headers.set(name, edit(req.headers.get(name)!));
}

describe('DigestServer.challenge', () => {
  it('sends a 401 with SHA-256 then MD5 challenges sharing one nonce, qop="auth"', () => {
    const { server: srv } = server();
    const req = request({ uri: PHONE_URI });
    const res = srv.challenge(req, { toTag: 'uas1' });
    assert.equal(res.status, 401);
    assert.equal(res.reason, 'Unauthorized');
    assert.match(res.headers.get('To')!, /;tag=uas1$/);
    assert.equal(res.headers.get('Call-ID'), req.headers.get('Call-ID'));
    const challenges = res.headers.lines('WWW-Authenticate').map(parseChallenge);
    assert.deepEqual(
      challenges.map((c) => [c?.algorithm, c?.realm, c?.qop, c?.stale]),
      [
        ['SHA-256', 'partyline', ['auth'], false],
        ['MD5', 'partyline', ['auth'], false],
      ],
    );
    assert.equal(challenges[0]?.nonce, challenges[1]?.nonce);
    assert.notEqual(
      srv.challenge(req).headers.get('WWW-Authenticate'),
      res.headers.get('WWW-Authenticate'),
    );
  });

  it('acts as a proxy with 407 and Proxy-Authenticate', () => {
    const { server: srv } = server({ proxy: true, algorithms: ['MD5'] });
    const res = srv.challenge(request(), { stale: true });
    assert.equal(res.status, 407);
    assert.equal(res.headers.has('WWW-Authenticate'), false);
    const lines = res.headers.lines('Proxy-Authenticate');
    assert.equal(lines.length, 1);
    assert.equal(parseChallenge(lines[0]!)?.stale, true);
  });
});

describe('DigestServer.verify', () => {
  for (const algorithms of [
    ['MD5'],
    ['SHA-256'],
    ['SHA-256', 'MD5'],
    ['MD5-sess', 'SHA-256-sess'],
  ] as DigestAlgorithm[][]) {
    it(`accepts a client's answer round trip (${algorithms.join(', ')})`, () => {
      const { server: srv } = server({ algorithms });
      const { req } = answered(srv, 'alice', 'wonderland');
      const expectedAlgorithm = algorithms.find((a) => a.startsWith('SHA')) ?? algorithms[0];
      assert.equal(onlyCredentials(req).algorithm, expectedAlgorithm);
      assert.deepEqual(srv.verify(req), { ok: true, username: 'alice' });
    });
  }

  it('accepts answers as a proxy (Proxy-Authorization)', () => {
    const { server: srv } = server({ proxy: true });
    const req = request();
    const phone = new DigestClient({ username: 'bob', password: 'builder' });
    assert.equal(phone.authorize(req, srv.challenge(req)), true);
    assert.equal(req.headers.has('Authorization'), false);
    assert.deepEqual(srv.verify(req), { ok: true, username: 'bob' });
  });

  it('accepts qop=auth-int over the body', () => {
    const { server: srv } = server({ algorithms: ['MD5'] });
    const req = request({ uri: PHONE_URI, body: 'v=0\r\n' });
    const nonce = parseChallenge(srv.challenge(req).headers.get('WWW-Authenticate')!)!.nonce;
    const base = {
      username: 'alice',
      realm: 'partyline',
      nonce,
      uri: PHONE_URI,
      algorithm: 'MD5' as const,
    };
    const response = computeDigestResponse({
      ...base,
      password: 'wonderland',
      method: 'INVITE',
      cnonce: 'cn',
      nc: '00000001',
      qop: 'auth-int',
      body: req.body,
    });
    req.headers.set(
      'Authorization',
      formatCredentials({ ...base, response, cnonce: 'cn', nc: '00000001', qop: 'auth-int' }),
    );
    assert.deepEqual(srv.verify(req), { ok: true, username: 'alice' });
  });

  it('rejects a wrong password as bad-response, not stale', () => {
    const { server: srv } = server();
    const { req } = answered(srv, 'alice', 'looking-glass');
    assert.deepEqual(srv.verify(req), { ok: false, reason: 'bad-response', stale: false });
  });

  it('rejects an unknown user', () => {
    const { server: srv } = server();
    const { req } = answered(srv, 'mallory', 'whatever');
    assert.deepEqual(srv.verify(req), { ok: false, reason: 'unknown-user', stale: false });
  });

  it('reports missing credentials, and unparseable ones as missing', () => {
    const { server: srv } = server();
    const req = request();
    assert.deepEqual(srv.verify(req), { ok: false, reason: 'missing', stale: false });
    req.headers.set('Authorization', 'Digest username="alice", realm="partyline"');
    assert.deepEqual(srv.verify(req), { ok: false, reason: 'missing', stale: false });
    req.headers.set('Authorization', 'Basic YWxpY2U6d29uZGVybGFuZA==');
    assert.deepEqual(srv.verify(req), { ok: false, reason: 'missing', stale: false });
  });

  it('reports credentials for another realm as realm-mismatch', () => {
    const { server: srv } = server();
    const { server: other } = server({ realm: 'elsewhere' });
    const { req } = answered(other, 'alice', 'wonderland');
    assert.deepEqual(srv.verify(req), { ok: false, reason: 'realm-mismatch', stale: false });
  });

  it('rejects a tampered nonce as bad-nonce', () => {
    const { server: srv } = server();
    const { req } = answered(srv, 'alice', 'wonderland');
    const nonce = onlyCredentials(req).nonce;
    const flipped = nonce.slice(0, 3) + (nonce[3] === 'A' ? 'B' : 'A') + nonce.slice(4);
    editCredentials(req, (v) => v.replace(nonce, flipped));
    assert.deepEqual(srv.verify(req), { ok: false, reason: 'bad-nonce', stale: false });
    editCredentials(req, (v) => v.replace(flipped, 'not-our-nonce'));
    assert.deepEqual(srv.verify(req), { ok: false, reason: 'bad-nonce', stale: false });
  });

  it("rejects another server's nonce as bad-nonce, and accepts it when the secret is shared", () => {
    const secret = Buffer.alloc(32, 7);
    const { server: a } = server({ secret });
    const { server: b } = server({ secret });
    const { server: c } = server();
    const { req } = answered(a, 'alice', 'wonderland');
    assert.deepEqual(c.verify(req), { ok: false, reason: 'bad-nonce', stale: false });
    assert.deepEqual(b.verify(req), { ok: true, username: 'alice' });
  });

  it('rejects credentials computed for another Request-URI (uri-mismatch)', () => {
    const { server: srv } = server();
    const { req } = answered(srv, 'alice', 'wonderland');
    req.uri = parseUri('sip:someone-else@partyline.example.com');
    assert.deepEqual(srv.verify(req), { ok: false, reason: 'uri-mismatch', stale: false });
  });

  it('accepts a digest-uri that differs only in spelling the URI parser normalises', () => {
    const { server: srv } = server({ algorithms: ['MD5'] });
    const req = request({ uri: 'sip:conference@partyline.example.com;transport=udp' });
    const nonce = parseChallenge(srv.challenge(req).headers.get('WWW-Authenticate')!)!.nonce;
    const uri = 'sip:conference@partyline.example.com;TRANSPORT=udp';
    const base = { username: 'alice', realm: 'partyline', nonce, uri, algorithm: 'MD5' as const };
    const response = computeDigestResponse({
      ...base,
      password: 'wonderland',
      method: 'INVITE',
      cnonce: 'cn',
      nc: '00000001',
      qop: 'auth',
    });
    req.headers.set(
      'Authorization',
      formatCredentials({ ...base, response, cnonce: 'cn', nc: '00000001', qop: 'auth' }),
    );
    assert.deepEqual(srv.verify(req), { ok: true, username: 'alice' });
  });

  it('rejects a replayed nonce-count, and accepts the next one', () => {
    const { server: srv } = server();
    const { req, phone } = answered(srv, 'alice', 'wonderland');
    assert.equal(srv.verify(req).ok, true);
    assert.deepEqual(srv.verify(req), { ok: false, reason: 'replayed-nc', stale: true });

    const bye = request({ method: 'BYE', uri: PHONE_URI, cseq: 2 });
    assert.equal(phone.preauthorize(bye), true);
    assert.equal(onlyCredentials(bye).nc, '00000002');
    assert.deepEqual(srv.verify(bye), { ok: true, username: 'alice' });
    assert.deepEqual(srv.verify(bye), { ok: false, reason: 'replayed-nc', stale: true });
  });

  it('does not let a forged request advance the nonce-count', () => {
    const { server: srv } = server();
    const { req } = answered(srv, 'alice', 'wonderland');
    const good = req.headers.get('Authorization')!;
    editCredentials(req, (v) => v.replace('nc=00000001', 'nc=000000ff'));
    assert.equal(srv.verify(req).ok, false);
    req.headers.set('Authorization', good);
    assert.deepEqual(srv.verify(req), { ok: true, username: 'alice' });
  });

  it('requires qop, nc and cnonce (it always offers qop)', () => {
    const { server: srv } = server({ algorithms: ['MD5'] });
    const req = request({ uri: PHONE_URI });
    const nonce = parseChallenge(srv.challenge(req).headers.get('WWW-Authenticate')!)!.nonce;
    const base = {
      username: 'alice',
      realm: 'partyline',
      nonce,
      uri: PHONE_URI,
      algorithm: 'MD5' as const,
    };
    const rfc2069 = computeDigestResponse({ ...base, password: 'wonderland', method: 'INVITE' });
    req.headers.set('Authorization', formatCredentials({ ...base, response: rfc2069 }));
    assert.deepEqual(srv.verify(req), { ok: false, reason: 'bad-response', stale: false });

    const zero = computeDigestResponse({
      ...base,
      password: 'wonderland',
      method: 'INVITE',
      cnonce: 'c',
      nc: '00000000',
      qop: 'auth',
    });
    req.headers.set(
      'Authorization',
      formatCredentials({ ...base, response: zero, cnonce: 'c', nc: '00000000', qop: 'auth' }),
    );
    assert.deepEqual(srv.verify(req), { ok: false, reason: 'bad-response', stale: false });
  });

  it('rejects an algorithm it did not offer', () => {
    const { server: srv } = server({ algorithms: ['SHA-256'] });
    const req = request({ uri: PHONE_URI });
    const nonce = parseChallenge(srv.challenge(req).headers.get('WWW-Authenticate')!)!.nonce;
    const base = {
      username: 'alice',
      realm: 'partyline',
      nonce,
      uri: PHONE_URI,
      algorithm: 'MD5' as const,
    };
    const p = {
      password: 'wonderland',
      method: 'INVITE',
      cnonce: 'c',
      nc: '00000001',
      qop: 'auth' as const,
    };
    const response = computeDigestResponse({ ...base, ...p });
    req.headers.set(
      'Authorization',
      formatCredentials({ ...base, response, cnonce: 'c', nc: '00000001', qop: 'auth' }),
    );
    assert.deepEqual(srv.verify(req), { ok: false, reason: 'bad-response', stale: false });
  });

  it('reports an expired nonce as stale, and the client recovers through a stale challenge', () => {
    const { server: srv, clock } = server({ nonceTtlMs: 60_000 });
    const { req, phone } = answered(srv, 'alice', 'wonderland');
    clock.advance(60_001);
    const result = srv.verify(req);
    assert.deepEqual(result, { ok: false, reason: 'stale-nonce', stale: true });

    const res = srv.challenge(req, { stale: result.ok ? false : result.stale });
    assert.equal(phone.authorize(req, res), true);
    assert.deepEqual(srv.verify(req), { ok: true, username: 'alice' });
  });

  it('accepts a nonce right up to its lifetime', () => {
    const { server: srv, clock } = server({ nonceTtlMs: 60_000 });
    const { req } = answered(srv, 'alice', 'wonderland');
    clock.advance(60_000);
    assert.deepEqual(srv.verify(req), { ok: true, username: 'alice' });
  });

  it('does not call an expired nonce with a wrong password stale (stale only when the password is proven)', () => {
    const { server: srv, clock } = server();
    const { req } = answered(srv, 'alice', 'wrong');
    clock.advance(300_001);
    assert.deepEqual(srv.verify(req), { ok: false, reason: 'bad-response', stale: false });
  });

  it('treats nonces whose count it had to forget as stale, never as fresh', () => {
    const { server: srv, clock } = server();
    const early = answered(srv, 'alice', 'wonderland');
    assert.equal(srv.verify(early.req).ok, true);
    clock.advance(1);
    const unused = answered(srv, 'bob', 'builder');
    // Overfill the bounded replay table (4096 nonces): `early` and the first loop nonce
    // (issued after `unused`) are evicted, so `unused` is older than a forgotten nonce.
    for (let i = 0; i < 4097; i++) {
      clock.advance(1);
      assert.equal(srv.verify(answered(srv, 'bob', 'builder').req).ok, true);
    }
    const again = request({ method: 'BYE', uri: PHONE_URI, cseq: 2 });
    early.phone.preauthorize(again);
    assert.deepEqual(srv.verify(again), { ok: false, reason: 'stale-nonce', stale: true });
    assert.deepEqual(srv.verify(unused.req), { ok: false, reason: 'stale-nonce', stale: true });
  });

  it('never throws on hostile credentials', () => {
    const { server: srv } = server();
    const values = [
      'Digest username="alice", realm="partyline", nonce="", uri="", response=""',
      'Digest username="alice", realm="partyline", nonce="AAAA", uri="sip:x", response="zz", qop=auth, nc=zzzzzzzz, cnonce=""',
      'Digest username="alice", realm="partyline", nonce="' +
        'A'.repeat(40) +
        '", uri="::::", response="x"',
      'Digest username="alice", realm="partyline", nonce="' +
        '_'.repeat(40) +
        '", uri="sip:%zz", response="x"',
      'Digest \u0000',
    ];
    for (const v of values) {
      const req = request();
      req.headers.set('Authorization', v);
      const r = srv.verify(req);
      assert.equal(r.ok, false, v);
    }
  });
});
