import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  DEFAULT_CONFIG,
  applyEnvironment,
  loadConfig,
  userAgentOptions,
  validateConfig,
} from '../../src/config/index.js';

test('no document gives the defaults', () => {
  assert.deepEqual(validateConfig(undefined), DEFAULT_CONFIG);
});

test('a full document is taken field by field', () => {
  const c = validateConfig({
    logLevel: 'debug',
    sip: {
      address: '::1',
      port: 5070,
      transports: ['tcp'],
      maxInboundTcpConnections: 50,
      maxInboundTcpConnectionsPerSource: 4,
      tcpHeaderTimeoutMs: 2000,
      maxDialogs: 100,
      maxServerTransactions: 5000,
      newRequestsPerSecondPerSource: 0,
      timers: { T1: 100 },
      trunks: [
        {
          name: 'c',
          host: '10.0.0.1',
          port: 5080,
          transport: 'tcp',
          username: 'u',
          password: 'p',
          numberFormat: 'digits',
          prefixes: ['+1', '44'],
        },
      ],
      inboundAuth: { realm: 'r', users: { alice: 'pw' } },
    },
    agent: { mode: 'reject', rejectStatus: 603 },
  });
  assert.equal(c.sip.address, '::1');
  assert.equal(c.sip.maxInboundTcpConnections, 50);
  assert.equal(c.sip.maxInboundTcpConnectionsPerSource, 4);
  assert.equal(c.sip.tcpHeaderTimeoutMs, 2000);
  assert.equal(c.sip.maxDialogs, 100);
  assert.equal(c.sip.maxServerTransactions, 5000);
  assert.equal(c.sip.newRequestsPerSecondPerSource, 0);
  assert.equal(c.sip.nat, 'auto', 'NAT handling is on for peers that look NATed by default');
  assert.equal(validateConfig({ sip: { nat: 'never' } }).sip.nat, 'never');
  const dns = validateConfig({
    sip: {
      dnsServers: ['192.0.2.53', '127.0.0.1:5353', '[::1]:53'],
      trunks: [{ host: 'carrier.example', outboundProxy: 'sip:proxy.example:5070;transport=tcp' }],
    },
  });
  assert.deepEqual(dns.sip.dnsServers, ['192.0.2.53', '127.0.0.1:5353', '[::1]:53']);
  assert.equal(dns.sip.trunks[0]!.outboundProxy, 'sip:proxy.example:5070;transport=tcp');
  assert.equal(c.sip.timers.T1, 100);
  assert.equal(c.sip.timers.T2, 4000);
  assert.equal(c.sip.trunks[0]!.numberFormat, 'digits');
  assert.deepEqual(c.sip.inboundAuth, { realm: 'r', users: { alice: 'pw' } });
  assert.equal(c.agent.mode, 'reject');
  assert.equal(c.agent.answerAfterMs, DEFAULT_CONFIG.agent.answerAfterMs);
});

test('inbound auth algorithms are taken in order and checked', () => {
  const c = validateConfig({
    sip: { inboundAuth: { realm: 'r', users: { a: 'b' }, algorithms: ['SHA-256', 'MD5'] } },
  });
  assert.deepEqual(c.sip.inboundAuth?.algorithms, ['SHA-256', 'MD5']);
  assert.throws(
    () => validateConfig({ sip: { inboundAuth: { realm: 'r', users: {}, algorithms: ['SHA1'] } } }),
    /sip\.inboundAuth\.algorithms\[0\]: must be one of SHA-256, MD5/,
  );
});

const bad: Array<[string, unknown, RegExp]> = [
  ['not an object', [1], /must be a JSON object/],
  ['unknown top-level key', { sip: {}, colour: 'red' }, /colour: unknown setting/],
  ['port out of range', { sip: { port: 70000 } }, /sip\.port: must be an integer from 0 to 65535/],
  ['address not an IP', { sip: { address: 'example.com' } }, /sip\.address: must be an IP address/],
  [
    'bad transport',
    { sip: { transports: ['sctp'] } },
    /sip\.transports\[0\]: must be one of udp, tcp/,
  ],
  [
    'no inbound TCP connection at all',
    { sip: { maxInboundTcpConnections: 0 } },
    /sip\.maxInboundTcpConnections: must be an integer from 1 to 1000000/,
  ],
  [
    'no call at all',
    { sip: { maxDialogs: 0 } },
    /sip\.maxDialogs: must be an integer from 1 to 10000000/,
  ],
  [
    'a negative rate',
    { sip: { newRequestsPerSecondPerSource: -1 } },
    /sip\.newRequestsPerSecondPerSource: must be an integer from 0/,
  ],
  [
    'a header deadline too short to be met',
    { sip: { tcpHeaderTimeoutMs: 5 } },
    /sip\.tcpHeaderTimeoutMs: must be an integer from 100/,
  ],
  ['T2 < T1', { sip: { timers: { T1: 5000, T2: 1000 } } }, /T2 must not be smaller than T1/],
  [
    'register not a boolean',
    { sip: { trunks: [{ host: 'h', register: 'yes' }] } },
    /sip\.trunks\[0\]\.register: must be true or false/,
  ],
  [
    'registration too short',
    { sip: { trunks: [{ host: 'h', register: true, registerExpires: 10 }] } },
    /sip\.trunks\[0\]\.registerExpires: must be an integer from 60 to 86400/,
  ],
  [
    'DNS server not an address',
    { sip: { dnsServers: ['dns.example'] } },
    /sip\.dnsServers: must be a list of IP addresses/,
  ],
  [
    'outbound proxy not a host',
    { sip: { trunks: [{ host: 'h', outboundProxy: 'sips:proxy' }] } },
    /sip\.trunks\[0\]\.outboundProxy: must be host, host:port or a sip: URI/,
  ],
  ['unknown NAT mode', { sip: { nat: 'yes' } }, /sip\.nat: must be one of auto, always, never/],
  [
    'trunk without host',
    { sip: { trunks: [{ name: 'x' }] } },
    /sip\.trunks\[0\]\.host: must be a non-empty string/,
  ],
  [
    'username without password',
    { sip: { trunks: [{ host: 'h', username: 'u' }] } },
    /give both or neither/,
  ],
  [
    'bad prefixes',
    { sip: { trunks: [{ host: 'h', prefixes: ['abc'] }] } },
    /prefixes: must be a list of digit strings/,
  ],
  [
    'bad users',
    { sip: { inboundAuth: { realm: 'r', users: { a: 1 } } } },
    /users: must map user names to passwords/,
  ],
  ['bad mode', { agent: { mode: 'dance' } }, /agent\.mode: must be one of answer, reject, ring/],
  ['reject status 200', { agent: { rejectStatus: 200 } }, /agent\.rejectStatus/],
];
for (const [name, doc, why] of bad) {
  test(`rejects ${name} with a message naming the field`, () => {
    assert.throws(
      () => validateConfig(doc),
      (err: unknown) => err instanceof ConfigError && why.test(err.message),
    );
  });
}

test('loadConfig: default path optional, explicit path required, JSON errors named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'partyline-config-'));
  try {
    assert.deepEqual(loadConfig(undefined, join(dir, 'absent.json')), DEFAULT_CONFIG);
    assert.throws(() => loadConfig(join(dir, 'absent.json')), /cannot read configuration/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"sip": ');
    assert.throws(() => loadConfig(broken), /broken\.json is not valid JSON/);
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ sip: { port: -1 } }));
    assert.throws(() => loadConfig(wrong), /wrong\.json: sip\.port/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('server sections: http, media, dataDir, checked and defaulted', () => {
  const c = validateConfig({
    http: { host: '0.0.0.0', port: 9090 },
    media: { portMin: 30000, portMax: 30099 },
    dataDir: '/var/lib/partyline',
  });
  assert.equal(c.http.port, 9090);
  assert.equal(c.http.rateLimitPerSecond, 100);
  assert.equal(c.media.portMin, 30000);
  assert.equal(c.dataDir, '/var/lib/partyline');
  assert.throws(() => validateConfig({ http: { port: 'x' } }), /http\.port: must be an integer/);
  assert.throws(() => validateConfig({ http: { host: 'localhost' } }), /http\.host: must be an IP/);
  assert.throws(
    () => validateConfig({ media: { portMin: 5000, portMax: 5000 } }),
    /portMin \(5000\) must be below portMax/,
  );
  assert.throws(() => validateConfig({ http: { tls: true } }), /http\.tls: unknown setting/);
});

test('media timeouts: defaults 30 s and 10 min, 0 turns one off, below a second is refused', () => {
  const d = validateConfig({});
  assert.equal(d.media.inactivityTimeoutMs, 30_000);
  assert.equal(d.media.holdTimeoutMs, 600_000);
  const c = validateConfig({ media: { inactivityTimeoutMs: 45_000, holdTimeoutMs: 0 } });
  assert.equal(c.media.inactivityTimeoutMs, 45_000);
  assert.equal(c.media.holdTimeoutMs, 0);
  assert.throws(
    () => validateConfig({ media: { inactivityTimeoutMs: 500 } }),
    /media\.inactivityTimeoutMs: must be 0 \(never\) or at least 1000 ms/,
  );
  assert.throws(
    () => validateConfig({ media: { holdTimeoutMs: -1 } }),
    /media\.holdTimeoutMs: must be an integer from 0 to 86400000/,
  );
  assert.throws(() => validateConfig({ media: { holdTimeoutMs: '5m' } }), /holdTimeoutMs/);
});

test('sip.sessionTimer: defaults 1800 / 90 s, passed to the user agent, Min-SE ≥ 90 and ≤ expiresS', () => {
  assert.deepEqual(validateConfig({}).sip.sessionTimer, { expiresS: 1800, minSeS: 90 });
  const c = validateConfig({ sip: { sessionTimer: { expiresS: 300, minSeS: 120 } } });
  assert.deepEqual(userAgentOptions(c.sip).sessionTimer, { expiresS: 300, minSeS: 120 });
  assert.throws(
    () => validateConfig({ sip: { sessionTimer: { minSeS: 60 } } }),
    /sip\.sessionTimer\.minSeS: must be an integer from 90/,
  );
  assert.throws(
    () => validateConfig({ sip: { sessionTimer: { expiresS: 100, minSeS: 200 } } }),
    /expiresS must not be smaller than minSeS/,
  );
  assert.throws(
    () => validateConfig({ sip: { sessionTimer: { refresher: 'uac' } } }),
    /sip\.sessionTimer\.refresher: unknown setting/,
  );
});

test('environment overrides name the variable in their errors', () => {
  const c = applyEnvironment(validateConfig(undefined), {
    PARTYLINE_HTTP_PORT: '8181',
    PARTYLINE_DATA_DIR: '/tmp/pl',
    PARTYLINE_MEDIA_PORT_MIN: '41000',
    PARTYLINE_MEDIA_PORT_MAX: '41999',
    PARTYLINE_SIP_PORT: '',
    PARTYLINE_MEDIA_INACTIVITY_TIMEOUT_MS: '0',
    PARTYLINE_MEDIA_HOLD_TIMEOUT_MS: '7200000',
  });
  assert.equal(c.http.port, 8181);
  assert.equal(c.media.inactivityTimeoutMs, 0);
  assert.equal(c.media.holdTimeoutMs, 7_200_000);
  assert.throws(
    () => applyEnvironment(validateConfig(undefined), { PARTYLINE_MEDIA_HOLD_TIMEOUT_MS: '500' }),
    /PARTYLINE_MEDIA_HOLD_TIMEOUT_MS: must be 0 \(never\) or at least 1000 ms \(got 500\)/,
  );
  assert.throws(
    () =>
      applyEnvironment(validateConfig(undefined), { PARTYLINE_MEDIA_INACTIVITY_TIMEOUT_MS: '1m' }),
    /PARTYLINE_MEDIA_INACTIVITY_TIMEOUT_MS: must be an integer/,
  );
  assert.equal(c.dataDir, '/tmp/pl');
  assert.equal(c.sip.port, 5060, 'an empty variable is ignored');
  assert.throws(
    () => applyEnvironment(validateConfig(undefined), { PARTYLINE_HTTP_PORT: '80a' }),
    /PARTYLINE_HTTP_PORT: must be an integer from 0 to 65535 \(got "80a"\)/,
  );
  assert.throws(
    () => applyEnvironment(validateConfig(undefined), { PARTYLINE_LOG_LEVEL: 'loud' }),
    /PARTYLINE_LOG_LEVEL: must be one of/,
  );
});
