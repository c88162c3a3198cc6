import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeDigestResponse } from '../../../src/sip/auth/index.js';

// Reference values: the RFC worked examples, and for the other variants values
// computed independently with coreutils md5sum/sha256sum over the RFC formulas.

describe('computeDigestResponse', () => {
  it('matches the RFC 2617 §3.5 example (MD5, qop=auth)', () => {
    const r = computeDigestResponse({
      algorithm: 'MD5',
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      cnonce: '0a4f113b',
      nc: '00000001',
      qop: 'auth',
    });
    assert.equal(r, '6629fae49393a05397450978507c4ef1');
  });

  it('matches the RFC 7616 §3.9.1 example (SHA-256, qop=auth)', () => {
    const r = computeDigestResponse({
      algorithm: 'SHA-256',
      username: 'Mufasa',
      realm: 'http-auth@example.org',
      password: 'Circle of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
      nc: '00000001',
      qop: 'auth',
    });
    assert.equal(r, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });

  it('computes RFC 2069 style MD5 without qop: H(HA1:nonce:HA2)', () => {
    const r = computeDigestResponse({
      algorithm: 'MD5',
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      password: 'CircleOfLife',
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    });
    assert.equal(r, '1949323746fe6a43ef61f9606e7febea');
  });

  it('computes MD5-sess with the session key H(HA1:nonce:cnonce)', () => {
    const r = computeDigestResponse({
      algorithm: 'MD5-sess',
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      cnonce: '0a4f113b',
      nc: '00000001',
      qop: 'auth',
    });
    assert.equal(r, '8e3825c57e897f5a0dec6c2d4e5059d0');
  });

  it('computes SHA-256-sess', () => {
    const r = computeDigestResponse({
      algorithm: 'SHA-256-sess',
      username: 'Mufasa',
      realm: 'http-auth@example.org',
      password: 'Circle of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
      nc: '00000001',
      qop: 'auth',
    });
    assert.equal(r, '2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7');
  });

  it('covers the body with qop=auth-int (MD5, SDP-like body)', () => {
    const r = computeDigestResponse({
      algorithm: 'MD5',
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      password: 'Circle Of Life',
      method: 'INVITE',
      uri: 'sip:bob@example.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      cnonce: '0a4f113b',
      nc: '00000002',
      qop: 'auth-int',
      body: Buffer.from('v=0\r\n'),
    });
    assert.equal(r, '4368bf0bb9870c7b0c7bcebe4e34bec7');
  });

  it('hashes an absent body as the empty string with auth-int (SHA-256)', () => {
    const r = computeDigestResponse({
      algorithm: 'SHA-256',
      username: 'Mufasa',
      realm: 'http-auth@example.org',
      password: 'Circle of Life',
      method: 'REGISTER',
      uri: 'sip:example.org',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
      nc: '0000000a',
      qop: 'auth-int',
    });
    assert.equal(r, '381d8e8346523b30a5d18f4d38781cbf3bf0723e2e1007bd9562532e3d3c8e9d');
  });

  it('rejects inconsistent calls (qop without cnonce, -sess without cnonce)', () => {
    const base = {
      username: 'u',
      realm: 'r',
      password: 'p',
      method: 'INVITE',
      uri: 'sip:x@y',
      nonce: 'n',
    };
    assert.throws(
      () => computeDigestResponse({ ...base, algorithm: 'MD5', qop: 'auth', nc: '00000001' }),
      TypeError,
    );
    assert.throws(() => computeDigestResponse({ ...base, algorithm: 'SHA-256-sess' }), TypeError);
  });
});
