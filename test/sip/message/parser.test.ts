import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isSipUri,
  parseMessage,
  SipParseError,
  SipRequest,
  SipResponse,
  type ParseResult,
  type SipMessage,
  type SipUri,
} from '../../../src/sip/message/index.js';
import { INVITE, OK200, REGISTER, SDP, wire } from './samples.js';

function ok(data: Buffer | string): SipMessage {
  const r = parseMessage(data);
  if (!r.ok) assert.fail(`expected a message, got error: ${r.error.message}`);
  return r.message;
}

function req(data: Buffer | string): SipRequest {
  const m = ok(data);
  assert.ok(m instanceof SipRequest);
  return m;
}

function fails(data: Buffer | string, messagePart: string): Extract<ParseResult, { ok: false }> {
  const r = parseMessage(data);
  assert.equal(r.ok, false, `expected an error containing "${messagePart}"`);
  if (r.ok) throw new Error('unreachable');
  assert.ok(r.error instanceof SipParseError);
  assert.ok(
    r.error.message.includes(messagePart),
    `error "${r.error.message}" should contain "${messagePart}"`,
  );
  return r;
}

const BASE = [
  'Via: SIP/2.0/UDP host.example.com;branch=z9hG4bK1',
  'From: <sip:a@example.com>;tag=1',
  'To: <sip:b@example.com>',
  'Call-ID: abc@host',
  'CSeq: 1 OPTIONS',
];

function options(extra: string[] = [], body = '', base = BASE): string {
  return wire(['OPTIONS sip:b@example.com SIP/2.0', ...base, ...extra], body);
}

test('parses an INVITE: start line, headers in order, accessors and body', () => {
  const m = req(INVITE);
  assert.equal(m.method, 'INVITE');
  assert.equal(m.version, 'SIP/2.0');
  assert.ok(isSipUri(m.uri));
  assert.equal((m.uri as SipUri).user, 'bob');
  assert.equal(m.headers.entries[0]!.name, 'Via');
  assert.equal(m.headers.get('max-forwards'), '70');
  assert.equal(m.topVia().params.get('branch'), 'z9hG4bK776asdhds');
  assert.equal(m.from().params.get('tag'), '1928301774');
  assert.equal(m.to().displayName, 'Bob');
  assert.equal(m.callId(), 'a84b4c76e66710@pc33.atlanta.example.com');
  assert.deepEqual(m.cseq(), { seq: 314159, method: 'INVITE' });
  assert.equal(m.contacts().length, 1);
  assert.equal(m.routes().length, 2);
  assert.equal(m.contentType(), 'application/sdp');
  assert.ok(Buffer.isBuffer(m.body));
  assert.equal(m.body.toString(), SDP);
});

test('parses a response with several Via and Record-Route values', () => {
  const m = ok(OK200);
  assert.ok(m instanceof SipResponse);
  assert.equal(m.status, 200);
  assert.equal(m.reason, 'OK');
  assert.equal(m.vias().length, 3);
  assert.equal(m.vias()[2]!.params.get('received'), '192.0.2.1');
  assert.equal(m.recordRoutes().length, 2);
  assert.equal(m.body.length, 0);
});

test('Buffer and string input give the same message', () => {
  const a = req(INVITE);
  const b = req(Buffer.from(INVITE));
  assert.deepEqual(
    b.headers.entries.map((e) => e.value),
    a.headers.entries.map((e) => e.value),
  );
  assert.deepEqual(b.body, a.body);
});

test('compact header forms (§7.3.3)', () => {
  const m = req(
    wire(
      [
        'INVITE sip:b@example.com SIP/2.0',
        'v: SIP/2.0/UDP h;branch=z9hG4bK1',
        'f: <sip:a@example.com>;tag=1',
        't: sip:b@example.com',
        'i: abc@host',
        'CSeq: 1 INVITE',
        'm: <sip:a@10.0.0.1>',
        'c: application/sdp',
        'l: 3',
      ],
      'v=0',
    ),
  );
  assert.equal(m.topVia().host, 'h');
  assert.equal(m.callId(), 'abc@host');
  assert.equal(m.contentType(), 'application/sdp');
  assert.equal(m.contacts().length, 1);
  assert.equal(m.body.toString(), 'v=0');
  assert.equal(m.headers.entries[0]!.name, 'v');
});

test('header names are case-insensitive and whitespace before the colon is allowed', () => {
  const m = req(
    wire([
      'INVITE sip:b@example.com SIP/2.0',
      'VIA  : SIP/2.0/UDP h;branch=z9hG4bK1',
      'fRoM:<sip:a@example.com>;tag=1',
      'TO\t: <sip:b@x>',
      'CALL-ID:x',
      'cseq: 1 INVITE',
    ]),
  );
  assert.equal(m.topVia().host, 'h');
  assert.equal(m.callId(), 'x');
  assert.equal(m.headers.entries[0]!.name, 'VIA');
});

test('folded header lines are unfolded into one value (§7.3.1)', () => {
  const m = req(
    wire([
      'OPTIONS sip:b@example.com SIP/2.0',
      'Via: SIP/2.0/UDP',
      '   host.example.com',
      '\t;branch=z9hG4bK1',
      'From: <sip:a@example.com>',
      '  ;tag=1',
      'To: <sip:b@example.com>',
      'Call-ID: abc@host',
      'CSeq: 1',
      ' OPTIONS',
      'Subject: first',
      '   second   ',
      '  ',
      '\tthird',
    ]),
  );
  assert.equal(m.headers.get('via'), 'SIP/2.0/UDP host.example.com ;branch=z9hG4bK1');
  assert.equal(m.topVia().params.get('branch'), 'z9hG4bK1');
  assert.equal(m.from().params.get('tag'), '1');
  assert.deepEqual(m.cseq(), { seq: 1, method: 'OPTIONS' });
  assert.equal(m.headers.get('subject'), 'first second third');
});

test('several values on one line and one header over several lines', () => {
  const m = req(
    options([
      'Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK2, SIP/2.0/TCP p2.example.com;branch=z9hG4bK3',
      'Route: <sip:r1.example.com;lr>',
      'Route: <sip:r2.example.com;lr>, <sip:r3.example.com;lr>',
    ]),
  );
  assert.deepEqual(
    m.vias().map((v) => v.host),
    ['host.example.com', 'p1.example.com', 'p2.example.com'],
  );
  assert.deepEqual(
    m.routes().map((r) => (r.uri as SipUri).host),
    ['r1.example.com', 'r2.example.com', 'r3.example.com'],
  );
});

test('leading CRLFs are ignored (§7.5) and bare LF line endings are tolerated', () => {
  req('\r\n\r\n' + options());
  const lf = options([], 'body').replace(/\r\n/g, '\n');
  const m = req(lf);
  assert.equal(m.callId(), 'abc@host');
  assert.equal(m.body.toString(), 'body');
  // Mixed: a bare LF line ending just before the CRLF empty line.
  const mixed = 'OPTIONS sip:b@example.com SIP/2.0\r\n' + BASE.join('\r\n') + '\n\r\nxyz';
  assert.equal(req(mixed).body.toString(), 'xyz');
});

test('an LF empty line before a CRLF CRLF in the body ends the headers', () => {
  const lfHead = 'OPTIONS sip:b@example.com SIP/2.0\n' + BASE.join('\n') + '\n\n';
  const m = req(lfHead + 'line1\r\n\r\nline2');
  assert.equal(m.body.toString(), 'line1\r\n\r\nline2');
  assert.equal(m.headers.entries.length, 5);
  // The same with a body far bigger than the header size cap.
  const big = 'x'.repeat(100 * 1024);
  assert.equal(req(lfHead + big).body.length, big.length);
  assert.equal(req(options([], big)).body.length, big.length);
});

test('a message with no empty line is all headers with an empty body', () => {
  const text = 'OPTIONS sip:b@example.com SIP/2.0\r\n' + BASE.join('\r\n') + '\r\n';
  assert.equal(req(text).body.length, 0);
  assert.equal(req(text.slice(0, -2)).cseq().method, 'OPTIONS');
});

test('Content-Length framing on datagrams (§18.3)', () => {
  // Longer body than Content-Length: truncated.
  assert.equal(req(options(['Content-Length: 4'], 'v=0\r\nextra')).body.toString(), 'v=0\r');
  // Missing Content-Length: the body is the rest of the datagram.
  assert.equal(req(options([], 'whole rest')).body.toString(), 'whole rest');
  // Zero.
  assert.equal(req(options(['Content-Length: 0'], 'ignored')).body.length, 0);
  // Shorter body than Content-Length: error.
  const r = fails(options(['Content-Length: 50'], 'short'), 'Content-Length larger than body');
  assert.ok(r.request);
  fails(options(['Content-Length: -1'], ''), 'Bad Content-Length');
  fails(options(['Content-Length: abc'], ''), 'Bad Content-Length');
  fails(options(['Content-Length: 99999999999999999999'], ''), 'Bad Content-Length');
  fails(options(['Content-Length: 1', 'l: 2'], 'xx'), 'Multiple Content-Length');
  assert.equal(req(options(['Content-Length: 2', 'l: 2'], 'xx')).body.toString(), 'xx');
});

test('bodies are binary safe', () => {
  const body = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) body[i] = i;
  const head = Buffer.from(
    options(['Content-Type: application/octet-stream', 'Content-Length: 256']),
  );
  const m = req(Buffer.concat([head, body]));
  assert.deepEqual(m.body, body);
});

test('the body does not alias the input buffer', () => {
  const data = Buffer.from(options(['Content-Length: 4'], 'abcd'));
  const m = req(data);
  data.fill(0x41);
  assert.equal(m.body.toString(), 'abcd');
});

test('each missing mandatory header is reported; request carries what a 400 needs', () => {
  const names = ['Via', 'From', 'To', 'Call-ID', 'CSeq'];
  for (let i = 0; i < names.length; i++) {
    const base = BASE.filter((_, j) => j !== i);
    const r = fails(options([], '', base), `Missing ${names[i]} header`);
    assert.ok(r.request, 'request should be set');
    assert.equal(r.request.method, 'OPTIONS');
    assert.equal(r.request.headers.entries.length, 4);
  }
  // Responses too, but there is nothing to answer.
  const resp = fails(wire(['SIP/2.0 200 OK', ...BASE.slice(1)]), 'Missing Via header');
  assert.equal(resp.request, undefined);
});

test('Max-Forwards may be absent, and must be 0-255 when present', () => {
  assert.equal(req(options()).headers.has('max-forwards'), false);
  assert.equal(req(options(['Max-Forwards: 0068'])).headers.get('max-forwards'), '0068');
  fails(options(['Max-Forwards: 256']), 'Bad Max-Forwards');
  fails(options(['Max-Forwards: ten']), 'Bad Max-Forwards');
});

test('single-valued headers may not repeat', () => {
  fails(options(['From: <sip:x@example.com>;tag=2']), 'Multiple From headers');
  fails(options(['To: <sip:x@example.com>']), 'Multiple To headers');
  fails(options(['Call-ID: other']), 'Multiple Call-ID headers');
  fails(options(['CSeq: 2 OPTIONS']), 'Multiple CSeq headers');
  fails(options(['Max-Forwards: 70', 'Max-Forwards: 69']), 'Multiple Max-Forwards headers');
  fails(
    options([], '', [
      ...BASE.slice(0, 2),
      'To: <sip:b@example.com>, <sip:c@example.com>',
      ...BASE.slice(3),
    ]),
    'Bad To header',
  );
});

test('mandatory headers are validated eagerly with clear messages', () => {
  const replace = (i: number, line: string) =>
    options(
      [],
      '',
      BASE.map((l, j) => (j === i ? line : l)),
    );
  fails(replace(0, 'Via: SIP/2.0/UDP'), 'Bad Via header');
  fails(options(['Via: garbage']), 'Bad Via header');
  fails(replace(1, 'From: "unterminated <sip:a@example.com>'), 'Bad From header');
  fails(replace(2, 'To: < sip:b@example.com >'), 'Bad To header');
  fails(replace(3, 'Call-ID: has space'), 'Bad Call-ID header');
  fails(replace(3, 'Call-ID:'), 'Bad Call-ID header');
  fails(replace(4, 'CSeq: 36893488147419103232 OPTIONS'), 'Bad CSeq header');
  fails(replace(4, 'CSeq: 1 INVITE'), 'Bad CSeq: method does not match request method');
  fails(options(['Contact: <sip:a@b'], ''), 'Bad Contact header');
  fails(options(['Route: sip:a@b, junk'], ''), 'Bad Route header');
  fails(options(['Record-Route: <sip:a@[::1>'], ''), 'Bad Record-Route header');
});

test('Contact: * is accepted (REGISTER, §10.2.2)', () => {
  const m = req(
    wire([
      'REGISTER sip:r.example.com SIP/2.0',
      ...BASE.slice(0, 4),
      'CSeq: 2 REGISTER',
      'Contact: *',
      'Expires: 0',
    ]),
  );
  assert.equal(m.headers.get('contact'), '*');
});

test('REGISTER with authorization and several contacts', () => {
  const m = req(REGISTER);
  assert.equal(m.contacts().length, 2);
  assert.equal((m.contacts()[1]!.uri as SipUri).host, '[2001:db8::4]');
  assert.equal(m.contacts()[1]!.params.get('q'), '0.5');
  assert.ok(m.headers.get('authorization')!.startsWith('Digest username="bob", realm='));
  assert.equal(m.headers.values('authorization').length, 1);
});

test('request line: version, spacing, Request-URI', () => {
  const line = (l: string) => wire([l, ...BASE]);
  const v = fails(line('OPTIONS sip:b@example.com SIP/7.0'), 'Unsupported SIP version');
  assert.ok(v.request);
  assert.equal(v.request.method, 'OPTIONS');
  req(line('OPTIONS sip:b@example.com sip/2.0'));
  fails(line('OPTIONS  sip:b@example.com SIP/2.0'), 'Malformed Request-Line');
  fails(line('OPTIONS sip:b@example.com SIP/2.0 '), 'Malformed Request-Line');
  fails(line('OPTIONS sip:b@example.com; lr SIP/2.0'), 'Malformed Request-Line');
  fails(line('OPTIONS sip:b@example.com'), 'Malformed Request-Line');
  fails(line('OPTIONS'), 'Malformed Request-Line');
  fails(line('OPTIONS <sip:b@example.com> SIP/2.0'), 'Bad Request-URI');
  fails(line('OPTIONS sip:b@example.com?Route=%3Csip:x%3E SIP/2.0'), 'Bad Request-URI');
  fails(line('OPT@ONS sip:b@example.com SIP/2.0'), 'Malformed start line');
  const unknownScheme = req(line('OPTIONS nope:b@example.com SIP/2.0'));
  assert.deepEqual(unknownScheme.uri, { scheme: 'nope', opaque: 'b@example.com' });
});

test('unknown methods parse when CSeq matches', () => {
  const m = req(
    wire(['NEWMETHOD sip:b@example.com SIP/2.0', ...BASE.slice(0, 4), 'CSeq: 8 NEWMETHOD']),
  );
  assert.equal(m.method, 'NEWMETHOD');
});

test('status line: code range, empty and UTF-8 reason phrases', () => {
  const status = (l: string) => wire([l, ...BASE]);
  for (const code of [100, 183, 699]) {
    const m = ok(status(`SIP/2.0 ${code} Whatever`));
    assert.ok(m instanceof SipResponse);
    assert.equal(m.status, code);
  }
  for (const bad of [
    'SIP/2.0 99 Low',
    'SIP/2.0 700 High',
    'SIP/2.0 4294967301 Big',
    'SIP/2.0 2x0 X',
    'SIP/2.0 20 X',
    'SIP/2.0  200 OK',
  ]) {
    fails(status(bad), 'Bad status code');
  }
  fails(status('SIP/2.1 200 OK'), 'Unsupported SIP version');
  fails(status('SIP/2.0'), 'Malformed Status-Line');
  const empty = ok(status('SIP/2.0 100 '));
  assert.equal((empty as SipResponse).reason, '');
  assert.equal((ok(status('SIP/2.0 100')) as SipResponse).reason, '');
  const utf = ok(status('SIP/2.0 200 Очень хорошо')) as SipResponse;
  assert.equal(utf.reason, 'Очень хорошо');
});

test('header names: non-ASCII, NUL, spaces and missing colon are errors', () => {
  fails(options(['Ünknown: x']), 'Invalid header name');
  fails(options(['X Header: x']), 'Invalid header name');
  fails(options([': x']), 'Invalid header name');
  fails(options(['NoColonHere']), 'Malformed header line');
  fails(
    Buffer.concat([Buffer.from(options().slice(0, -2)), Buffer.from('X\0Y: 1\r\n\r\n')]),
    'Invalid header name',
  );
  // The bad line is skipped in the partial request so the UAS can still answer 400 (§21.4.1).
  const r = fails(options(['Bad@Name: 1']), 'Invalid header name');
  assert.ok(r.request);
  assert.ok(r.request.headers.has('via'));
  assert.equal(r.request.headers.has('bad@name'), false);
});

test('NUL in values: kept in unknown headers, allowed only as a quoted-pair in quoted strings', () => {
  assert.equal(req(options(['X-Value: a\0b'])).headers.get('x-value'), 'a\0b');
  const from = (v: string) => options([], '', [BASE[0]!, `From: ${v};tag=1`, ...BASE.slice(2)]);
  assert.equal(req(from('"a\\\0b" <sip:a@example.com>')).from().displayName, 'a\0b');
  fails(from('"a\0b" <sip:a@example.com>'), 'Bad From header');
});

test('UTF-8 in header values is kept', () => {
  const m = req(options(['Subject: Grüße 👋']));
  assert.equal(m.headers.get('subject'), 'Grüße 👋');
  const n = req(
    wire([
      'OPTIONS sip:b@example.com SIP/2.0',
      BASE[0]!,
      'From: "Zoë Ørsted" <sip:z@example.com>;tag=1',
      ...BASE.slice(2),
    ]),
  );
  assert.equal(n.from().displayName, 'Zoë Ørsted');
});

test('huge header sections are rejected with a clear error', () => {
  fails(options(['X-Big: ' + 'a'.repeat(100 * 1024)]), 'Header section too large');
  fails(
    'OPTIONS sip:b@example.com SIP/2.0\r\nX: ' + 'b'.repeat(70 * 1024),
    'Header section too large',
  );
});

test('empty and garbage input', () => {
  fails('', 'Empty message');
  fails('\r\n\r\n', 'Empty message');
  fails(Buffer.alloc(0), 'Empty message');
  fails('hello world', 'Malformed');
  fails(' INVITE sip:a@b SIP/2.0\r\n', 'Malformed start line');
  fails('INVITE sip:a@b SIP/2.0\r\n continuation\r\n', 'continuation');
});
