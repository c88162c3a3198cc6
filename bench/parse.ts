/**
 * SIP message parse + serialise throughput: our parser against the npm
 * packages `sip` (0.0.6) and `sip.js` (0.21), on a typical INVITE with an
 * SDP offer and a 200 OK with an SDP answer, as they arrive from the network
 * (a Buffer) and leave for it (a Buffer). Run alone with
 * `node --import tsx bench/parse.ts`.
 *
 * Equal work for each: every header a call server reads parsed, with URIs —
 *  - ours: parseMessage (which parses the Request-URI and validates the
 *    mandatory headers), then every accessor: vias(), from(), to(), cseq(),
 *    contacts(), routes(), recordRoutes(), callId(); serializeMessage.
 *  - sip: parse (all Via, From, To, Contact, Route, Record-Route, CSeq),
 *    plus parseUri of the Request-URI and of the From, To and Contact URIs
 *    it leaves as strings; stringify, then to a Buffer.
 *  - sip.js: Buffer to string, Parser.parseMessage (Request-URI, top Via,
 *    From, To, Contact, Record-Route, CSeq), plus the Via values below the
 *    top one and the Route values it leaves raw; it has no serialiser for
 *    received messages, so the start line and raw header lines are written
 *    back the cheapest way (no re-formatting), then to a Buffer.
 * Each result is checked (Call-ID, top branch, From tag, a Contact host)
 * before timing, and every timed iteration feeds a checksum that is
 * verified, so no parser can skip work.
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Core, Grammar } from 'sip.js';
import {
  isSipUri,
  parseMessage,
  serializeMessage,
  type SipMessage,
} from '../src/sip/message/index.js';

const require = createRequire(import.meta.url);

/** The subset of the `sip` package (0.0.6, untyped CommonJS) used here. */
interface SipPkg {
  parse(data: Buffer | string): NpmSipMessage | undefined;
  parseUri(uri: string): { host?: string } | undefined;
  stringify(m: NpmSipMessage): string;
}
interface NpmSipAor {
  uri: string;
  params: Record<string, string | null>;
}
interface NpmSipMessage {
  method?: string;
  uri?: string;
  status?: number;
  headers: {
    via: { params: Record<string, string | null> }[];
    from: NpmSipAor;
    to: NpmSipAor;
    contact?: NpmSipAor[];
    'call-id': string;
  };
}
const sip = require('sip') as SipPkg;

const CRLF = '\r\n';

const SDP_OFFER = [
  'v=0',
  'o=- 3912485517 3912485517 IN IP4 198.51.100.23',
  's=Softphone',
  'c=IN IP4 198.51.100.23',
  't=0 0',
  'm=audio 40376 RTP/AVP 0 8 9 18 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:18 G729/8000',
  'a=fmtp:18 annexb=no',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=sendrecv',
  '',
].join(CRLF);

const SDP_ANSWER = [
  'v=0',
  'o=partyline 1731522 1731522 IN IP4 203.0.113.10',
  's=partyline',
  'c=IN IP4 203.0.113.10',
  't=0 0',
  'm=audio 20000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=sendrecv',
  '',
].join(CRLF);

/** An INVITE as a trunk's proxy forwards it to us: two Via, Record-Route, SDP offer. */
const INVITE = Buffer.from(
  [
    'INVITE sip:+15551230001@203.0.113.10:5060;transport=udp SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.50:5060;branch=z9hG4bK-524287-1---a7fd9c2b1e;rport',
    'Via: SIP/2.0/UDP 198.51.100.23:5062;received=198.51.100.23;branch=z9hG4bKPj3f1b2c4d;rport=5062',
    'Record-Route: <sip:192.0.2.50;lr;ftag=8f3d2a1b>',
    'Max-Forwards: 69',
    'From: "Alice Caller" <sip:+15559870002@trunk.example.com>;tag=8f3d2a1b',
    'To: <sip:+15551230001@partyline.example.com>',
    'Call-ID: 3c27c8f7a2b94b0f8f3e2d1c0b9a8e7d@198.51.100.23',
    'CSeq: 20814 INVITE',
    'Contact: "Alice Caller" <sip:alice@198.51.100.23:5062;ob>',
    'Route: <sip:203.0.113.10;lr>',
    'Allow: PRACK, INVITE, ACK, BYE, CANCEL, UPDATE, INFO, SUBSCRIBE, NOTIFY, REFER, MESSAGE, OPTIONS',
    'Supported: replaces, 100rel, timer, norefersub',
    'Session-Expires: 1800',
    'Min-SE: 90',
    'User-Agent: ExampleSoftphone/3.2.1',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP_OFFER)}`,
    '',
    SDP_OFFER,
  ].join(CRLF),
);

/** Our 200 OK coming back through the proxy: three Via, Record-Route, SDP answer. */
const OK200 = Buffer.from(
  [
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bKr7Hq2mX9cA;rport=5060;received=203.0.113.10',
    'Via: SIP/2.0/UDP 192.0.2.50:5060;branch=z9hG4bK-524287-1---a7fd9c2b1e;rport=5060',
    'Via: SIP/2.0/UDP 198.51.100.23:5062;received=198.51.100.23;branch=z9hG4bKPj3f1b2c4d;rport=5062',
    'Record-Route: <sip:192.0.2.50;lr;ftag=8f3d2a1b>',
    'From: "Alice Caller" <sip:+15559870002@trunk.example.com>;tag=8f3d2a1b',
    'To: <sip:+15551230001@partyline.example.com>;tag=pl-6b1f0e2a',
    'Call-ID: 3c27c8f7a2b94b0f8f3e2d1c0b9a8e7d@198.51.100.23',
    'CSeq: 20814 INVITE',
    'Contact: <sip:partyline@203.0.113.10:5060;transport=udp>',
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, REFER, NOTIFY',
    'Supported: timer, replaces',
    'Session-Expires: 1800;refresher=uac',
    'Server: partyline/0.1',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP_ANSWER)}`,
    '',
    SDP_ANSWER,
  ].join(CRLF),
);

const CALL_ID = '3c27c8f7a2b94b0f8f3e2d1c0b9a8e7d@198.51.100.23';
const FROM_TAG = '8f3d2a1b';

/** One parse + full read + serialise; returns a number derived from the work (for the checksum). */
type Job = (data: Buffer) => number;

function oursJob(data: Buffer): number {
  const r = parseMessage(data);
  if (!r.ok) throw new Error(`ours failed: ${r.error.message}`);
  const m: SipMessage = r.message;
  let n = m.vias().length + m.contacts().length + m.routes().length + m.recordRoutes().length;
  n += m.from().params.size + m.to().params.size + m.cseq().seq + m.callId().length;
  if (m.kind === 'request' && isSipUri(m.uri)) n += m.uri.host.length;
  return n + serializeMessage(m).length;
}

function sipJob(data: Buffer): number {
  const m = sip.parse(data);
  if (!m) throw new Error('sip failed');
  const h = m.headers;
  let n = h.via.length + h['call-id'].length;
  if (m.uri !== undefined) n += sip.parseUri(m.uri)?.host?.length ?? 0;
  n += sip.parseUri(h.from.uri)?.host?.length ?? 0;
  n += sip.parseUri(h.to.uri)?.host?.length ?? 0;
  for (const c of h.contact ?? []) n += sip.parseUri(c.uri)?.host?.length ?? 0;
  return n + Buffer.from(sip.stringify(m), 'binary').length;
}

const sipjsLogger = (() => {
  const factory = new Core.LoggerFactory();
  factory.builtinEnabled = false;
  return factory.getLogger('bench');
})();

function sipjsJob(data: Buffer): number {
  const m = Core.Parser.parseMessage(data.toString('utf8'), sipjsLogger);
  if (!m) throw new Error('sip.js failed');
  let n = m.callId.length + m.from.uri.host.length + m.to.uri.host.length + m.cseq;
  const vias = m.getHeaders('via');
  for (let i = 1; i < vias.length; i++) n += m.parseHeader('via', i) ? 1 : 0;
  for (const route of m.getHeaders('route')) {
    // sip.js has no Route rule; Record-Route has the same grammar (§25.1).
    n += Grammar.parse(route, 'Record_Route') === -1 ? 0 : 1;
  }
  let out: string;
  if (m instanceof Core.IncomingRequestMessage) {
    n += m.ruri ? m.ruri.host.length : 0;
    out = `${m.method} ${m.ruri?.toString() ?? ''} SIP/2.0${CRLF}`;
  } else {
    out = `SIP/2.0 ${m.statusCode} ${m.reasonPhrase}${CRLF}`;
  }
  for (const name of Object.keys(m.headers)) {
    for (const h of m.headers[name] as { raw: string }[]) out += `${name}: ${h.raw}${CRLF}`;
  }
  out += CRLF + (m.body ?? '');
  return n + Buffer.from(out, 'utf8').length;
}

/** Checks that each parser really parsed both messages before anything is timed. */
function verify(): void {
  for (const data of [INVITE, OK200]) {
    const r = parseMessage(data);
    if (
      !r.ok ||
      r.message.callId() !== CALL_ID ||
      r.message.from().params.get('tag') !== FROM_TAG
    ) {
      throw new Error('ours: wrong parse');
    }
    if (
      r.message.contacts().length !== 1 ||
      r.message.topVia().params.get('branch') === undefined
    ) {
      throw new Error('ours: wrong parse');
    }
    const s = sip.parse(data);
    if (!s || s.headers['call-id'] !== CALL_ID || s.headers.from.params.tag !== FROM_TAG) {
      throw new Error('sip: wrong parse');
    }
    if (s.headers.via.length < 2 || s.headers.via[0]!.params.branch === undefined) {
      throw new Error('sip: wrong parse');
    }
    const j = Core.Parser.parseMessage(data.toString('utf8'), sipjsLogger);
    if (!j || j.callId !== CALL_ID || j.fromTag !== FROM_TAG || !j.viaBranch) {
      throw new Error('sip.js: wrong parse');
    }
    if (j.parseHeader('contact') === undefined) throw new Error('sip.js: wrong parse');
  }
}

/** Runs `job` on `data` for about `ms` milliseconds; returns operations per second. */
function timed(job: Job, data: Buffer, ms: number, expect: number): number {
  let ops = 0;
  let sum = 0;
  const start = performance.now();
  let now = start;
  const end = start + ms;
  while (now < end) {
    for (let i = 0; i < 200; i++) sum += job(data);
    ops += 200;
    now = performance.now();
  }
  // Every iteration must have done the same full work.
  if (sum !== expect * ops) throw new Error('checksum mismatch: a parser skipped work');
  return (ops * 1000) / (now - start);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export interface ParseBenchResult {
  ours_invite_per_s: number;
  ours_ok_per_s: number;
  sip_invite_per_s: number;
  sip_ok_per_s: number;
  sipjs_invite_per_s: number;
  sipjs_ok_per_s: number;
  /**
   * Geometric mean over INVITE and 200 OK of our rate, divided by that of the
   * faster npm package; computed per round, median over the rounds.
   */
  parse_ratio_vs_best_npm: number;
}

export async function runParseBench(
  opts: { rounds?: number; roundMs?: number; warmupMs?: number } = {},
): Promise<ParseBenchResult> {
  const rounds = opts.rounds ?? 7;
  const roundMs = opts.roundMs ?? 250;
  const warmupMs = opts.warmupMs ?? 400;
  verify();
  const jobs: [string, Job][] = [
    ['ours', oursJob],
    ['sip', sipJob],
    ['sipjs', sipjsJob],
  ];
  const inputs: [string, Buffer][] = [
    ['invite', INVITE],
    ['ok', OK200],
  ];
  const expected = new Map<string, number>();
  const samples = new Map<string, number[]>();
  for (const [jn, job] of jobs) {
    for (const [inName, data] of inputs) {
      const key = `${jn}_${inName}`;
      expected.set(key, job(data));
      samples.set(key, []);
      timed(job, data, warmupMs, expected.get(key)!); // warm-up: let the JIT settle
    }
  }
  // Interleave the contenders in every round so machine noise hits all alike,
  // and take the ratio within each round (neighbours in time) before the median.
  const gm = (a: number, b: number) => Math.sqrt(a * b);
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const round = new Map<string, number>();
    for (const [jn, job] of jobs) {
      for (const [inName, data] of inputs) {
        const key = `${jn}_${inName}`;
        const rate = timed(job, data, roundMs, expected.get(key)!);
        round.set(key, rate);
        samples.get(key)!.push(rate);
      }
    }
    const best = Math.max(
      gm(round.get('sip_invite')!, round.get('sip_ok')!),
      gm(round.get('sipjs_invite')!, round.get('sipjs_ok')!),
    );
    ratios.push(gm(round.get('ours_invite')!, round.get('ours_ok')!) / best);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const rate = (key: string) => Math.round(median(samples.get(key)!));
  return {
    ours_invite_per_s: rate('ours_invite'),
    ours_ok_per_s: rate('ours_ok'),
    sip_invite_per_s: rate('sip_invite'),
    sip_ok_per_s: rate('sip_ok'),
    sipjs_invite_per_s: rate('sipjs_invite'),
    sipjs_ok_per_s: rate('sipjs_ok'),
    parse_ratio_vs_best_npm: Math.round(median(ratios) * 100) / 100,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runParseBench();
  const row = (name: string, inv: number, ok: number) =>
    `${name.padEnd(8)} ${String(inv).padStart(12)} ${String(ok).padStart(12)}`;
  console.log(`${'parser'.padEnd(8)} ${'INVITE/s'.padStart(12)} ${'200 OK/s'.padStart(12)}`);
  console.log(row('ours', r.ours_invite_per_s, r.ours_ok_per_s));
  console.log(row('sip', r.sip_invite_per_s, r.sip_ok_per_s));
  console.log(row('sip.js', r.sipjs_invite_per_s, r.sipjs_ok_per_s));
  console.log(`ratio vs best npm (geometric mean): ${r.parse_ratio_vs_best_npm}`);
}
