// The pure parts of the flood benchmark: what the flooder sends and reads,
// the overload log's episodes, the server windows, and merged result files.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readOverloadLog } from '../../../bench/flood/episodes.js';
import {
  FLOOD_KINDS,
  floodMessage,
  kindPicker,
  readResponse,
  type FloodKind,
} from '../../../bench/flood/messages.js';
import { summariseWindow, type ServerSample } from '../../../bench/flood/server-stats.js';
import { mergeResults } from '../../../bench/results.js';
import { parseMessage, type SipRequest } from '../../../src/sip/message/index.js';

const ep = { target: { host: '127.0.0.1', port: 5060 }, local: { host: '127.0.0.1', port: 40000 } };

describe('floodMessage', () => {
  it('makes requests our parser reads, each a new transaction', () => {
    const seen = new Set<string>();
    for (const kind of ['invite', 'register', 'options'] as const) {
      for (let n = 0; n < 20; n++) {
        const parsed = parseMessage(floodMessage(kind, n, ep));
        assert.ok(parsed.ok, `${kind} #${n} does not parse`);
        const req = parsed.message as SipRequest;
        assert.equal(req.method, kind.toUpperCase());
        assert.match(req.callId(), new RegExp(`^f${n}-`));
        assert.equal(req.to().params.has('tag'), false, 'out of dialog');
        seen.add(req.topVia().params.get('branch') as string);
      }
    }
    assert.equal(seen.size, 60, 'every branch is fresh');
  });

  it('makes garbage the parser rejects', () => {
    for (let n = 0; n < 50; n++) {
      const parsed = parseMessage(floodMessage('garbage', n, ep));
      if (parsed.ok) assert.throws(() => (parsed.message as SipRequest).topVia());
    }
  });
});

describe('kindPicker', () => {
  it('keeps to the mix, even over a short run', () => {
    const pick = kindPicker({ invite: 4, register: 3, options: 2, garbage: 1 });
    const counts = Object.fromEntries(FLOOD_KINDS.map((k) => [k, 0])) as Record<FloodKind, number>;
    for (let i = 0; i < 100; i++) counts[pick()]++;
    assert.deepEqual(counts, { invite: 40, register: 30, options: 20, garbage: 10 });
    const onlyOptions = kindPicker({ invite: 0, register: 0, options: 1, garbage: 0 });
    assert.equal(onlyOptions(), 'options');
    assert.throws(() => kindPicker({ invite: 0, register: 0, options: 0, garbage: 0 }));
  });
});

describe('readResponse', () => {
  it('reads the answer, its method and the flood datagram it answers', () => {
    const res = Buffer.from(
      'SIP/2.0 503 Too Many Requests From This Source\r\nVia: SIP/2.0/UDP 127.0.0.1:40000\r\n' +
        'call-id: f1234-abcd@127.0.0.1\r\ncseq: 1 invite\r\nRetry-After: 1\r\n\r\n',
    );
    assert.deepEqual(readResponse(res), {
      status: 503,
      answer: '503 Too Many Requests From This Source',
      method: 'INVITE',
      n: 1234,
    });
    const compact = readResponse(
      Buffer.from('SIP/2.0 200 OK\r\ni: other\r\nCSeq: 7 OPTIONS\r\n\r\n'),
    );
    assert.equal(compact?.n, undefined);
    assert.equal(readResponse(Buffer.from('INVITE sip:x SIP/2.0\r\n\r\n')), undefined);
  });
});

describe('readOverloadLog', () => {
  it('counts episodes, not refused packets, and sums what the ended ones refused', () => {
    const lines = [
      { level: 40, msg: 'source over its rate of new requests: answering 503 until it slows down' },
      { level: 30, msg: 'source back under its rate of new requests', refused: 700 },
      { level: 40, msg: 'transaction table full: answering new requests 503 until it drains' },
      { level: 30, msg: 'SIP listener bound' },
      { level: 40, msg: 'source over its rate of new requests: answering 503 until it slows down' },
    ].map((l) => JSON.stringify(l));
    const log = readOverloadLog(`${lines.join('\n')}\nnot json\n`);
    assert.deepEqual(log.rate, { started: 2, ended: 1, refused: 700 });
    assert.deepEqual(log.table, { started: 1, ended: 0, refused: 0 });
    assert.deepEqual(log.calls, { started: 0, ended: 0, refused: 0 });
    assert.equal(log.lines, 6);
    assert.equal(
      log.top_messages['source over its rate of new requests: answering 503 until it slows down'],
      2,
    );
    assert.equal(Object.keys(log.top_messages).length, 4);
  });
});

describe('summariseWindow', () => {
  const sample = (at: number, over: Partial<ServerSample> = {}): ServerSample => ({
    at,
    rssBytes: 100 * 2 ** 20,
    heapUsedBytes: 40 * 2 ** 20,
    externalBytes: 0,
    serverTransactions: 0,
    clientTransactions: 0,
    dialogs: 4,
    calls: 4,
    stateless: 0,
    shed: 0,
    rtpReceived: 0,
    rtpExpected: 0,
    rtpLate: 0,
    rtpConcealed: 0,
    eventLoopUtilization: 0.5,
    ...over,
  });

  it('gives high-water marks, counts within the window and the loss of the legs', () => {
    const w = summariseWindow(
      [
        sample(0, { serverTransactions: 999 }),
        sample(1000, { stateless: 10, rtpReceived: 100, rtpExpected: 100 }),
        sample(1050, { rssBytes: 150 * 2 ** 20, serverTransactions: 300, shed: 50 }),
        sample(1300, { stateless: 510, shed: 450, rtpReceived: 190, rtpExpected: 200 }),
        sample(5000, { serverTransactions: 5000 }),
      ],
      1000,
      2000,
    );
    assert.equal(w.samples, 3);
    assert.equal(w.rss_high_water_mib, 150);
    assert.equal(w.server_transactions_high_water, 300);
    assert.equal(w.stateless_sent, 500);
    assert.equal(w.shed_503_sent, 450);
    assert.equal(w.rtp_in_loss_pct, 10);
    assert.equal(w.longest_sample_gap_ms, 250);
    assert.equal(w.event_loop_busy_mean_pct, 50);
  });
});

describe('mergeResults', () => {
  it('replaces the keys it is given and keeps every other figure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'partyline-results-'));
    try {
      const file = join(dir, 'sip.json');
      writeFileSync(file, JSON.stringify({ cps_max: 8000, fuzz: { a: 1 }, fuzz_date: 'old' }));
      mergeResults(file, 'sip', { flood: { b: 2 } }, 'flood_date');
      mergeResults(file, 'sip', { fuzz: { a: 3 } });
      const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      assert.equal(doc.cps_max, 8000);
      assert.deepEqual(doc.flood, { b: 2 });
      assert.deepEqual(doc.fuzz, { a: 3 });
      assert.equal(doc.fuzz_date, undefined, 'a part measured again loses its own date');
      assert.equal(typeof doc.flood_date, 'string');
      assert.equal(typeof doc.flood_machine, 'object');
      assert.equal(typeof doc.date, 'string');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
