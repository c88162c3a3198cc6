// Unit tests of the parsing parts of the media benchmark harness: the
// generator control protocol, /proc/stat, RTP payload offsets, the signals
// the generator sends and the CPU profile summary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMulaw } from '../../../src/media/codec/index.js';
import { toneLevelDb } from '../../../src/media/audio/index.js';
import { summariseProfile, type CpuProfile } from '../../../bench/media/cpuprofile.js';
import { payloadOffset } from '../../../bench/media/gen-member.js';
import { busyPercent, parseProcStat } from '../../../bench/media/machine.js';
import { LineSplitter, parseCommand, parseReply } from '../../../bench/media/protocol.js';
import {
  CLICK_SAMPLES,
  clickPayload,
  silencePayload,
  TONE_HZ,
  tonePayload,
} from '../../../bench/media/signals.js';

describe('parseCommand', () => {
  it('accepts each well-formed command', () => {
    assert.deepEqual(parseCommand('{"id":1,"cmd":"setup","host":"127.0.0.1","targets":[4000]}'), {
      ok: true,
      value: { id: 1, cmd: 'setup', host: '127.0.0.1', targets: [4000] },
    });
    assert.deepEqual(parseCommand('{"id":2,"cmd":"start","signal":"tone","phases":4}'), {
      ok: true,
      value: { id: 2, cmd: 'start', signal: 'tone', phases: 4 },
    });
    for (const cmd of ['mark', 'stop', 'report', 'teardown', 'exit']) {
      assert.deepEqual(parseCommand(`{"id":3,"cmd":"${cmd}"}`), {
        ok: true,
        value: { id: 3, cmd },
      });
    }
    const clicks = parseCommand(
      '{"id":4,"cmd":"clicks","from":0,"to":1,"count":4,"intervalMs":300,"threshold":16000,"timeoutMs":1000}',
    );
    assert.equal(clicks.ok, true);
  });

  it('rejects bad input with a reason instead of throwing', () => {
    const bad = [
      'not json',
      '[1,2]',
      '{"cmd":"mark"}',
      '{"id":-1,"cmd":"mark"}',
      '{"id":1,"cmd":"launch"}',
      '{"id":1,"cmd":"setup","host":"","targets":[1]}',
      '{"id":1,"cmd":"setup","host":"h","targets":[0]}',
      '{"id":1,"cmd":"setup","host":"h","targets":[70000]}',
      '{"id":1,"cmd":"setup","host":"h","targets":"1,2"}',
      '{"id":1,"cmd":"start","signal":"noise","phases":1}',
      '{"id":1,"cmd":"start","signal":"tone","phases":0}',
      '{"id":1,"cmd":"start","signal":"tone","phases":1.5}',
      '{"id":1,"cmd":"clicks","from":1,"to":1,"count":1,"intervalMs":1,"threshold":1,"timeoutMs":1}',
      '{"id":1,"cmd":"clicks","from":0,"to":1,"count":0,"intervalMs":1,"threshold":1,"timeoutMs":1}',
      '{"id":1,"cmd":"clicks","from":0,"to":1,"count":1,"intervalMs":1,"threshold":40000,"timeoutMs":1}',
    ];
    for (const line of bad) {
      const r = parseCommand(line);
      assert.equal(r.ok, false, line);
      if (!r.ok) assert.ok(r.error.length > 0);
    }
  });
});

describe('parseReply', () => {
  const report = {
    sentPerMember: 10,
    received: [10, 9],
    gaps: [0, 1],
    reordered: [0, 0],
    duplicates: [0, 0],
    rtcp: [1, 1],
    other: 0,
    sendErrors: 0,
    socketErrors: 0,
    pacing: { ticks: 10, latenessP99Ms: 0.5, latenessMaxMs: 1 },
    cpuUs: 1234,
  };

  it('reads each reply kind', () => {
    const r = parseReply(JSON.stringify({ id: 7, ok: true, kind: 'report', report }));
    assert.deepEqual(r, { ok: true, value: { id: 7, ok: true, kind: 'report', report } });
    assert.deepEqual(parseReply('{"id":1,"ok":true,"kind":"ready","ports":[5000,5002]}'), {
      ok: true,
      value: { id: 1, ok: true, kind: 'ready', ports: [5000, 5002] },
    });
    assert.deepEqual(parseReply('{"id":2,"ok":true,"kind":"clicks","latenciesMs":[51.2,null]}'), {
      ok: true,
      value: { id: 2, ok: true, kind: 'clicks', latenciesMs: [51.2, null] },
    });
    assert.deepEqual(parseReply('{"id":3,"ok":false,"error":"boom"}'), {
      ok: true,
      value: { id: 3, ok: false, error: 'boom' },
    });
  });

  it('rejects replies that do not hold together', () => {
    const ragged = { ...report, gaps: [0] };
    const negative = { ...report, received: [10, -1] };
    const noPacing = { ...report, pacing: undefined };
    for (const bad of [ragged, negative, noPacing]) {
      const r = parseReply(JSON.stringify({ id: 1, ok: true, kind: 'report', report: bad }));
      assert.equal(r.ok, false);
    }
    assert.equal(parseReply('{"id":1,"ok":true,"kind":"ready","ports":[0]}').ok, false);
    assert.equal(parseReply('{"id":1,"ok":true,"kind":"clicks","latenciesMs":[-1]}').ok, false);
    assert.equal(parseReply('{"id":1,"kind":"done"}').ok, false);
    assert.equal(parseReply('{"id":1,"ok":true,"kind":"other"}').ok, false);
    assert.equal(parseReply('').ok, false);
  });
});

describe('LineSplitter', () => {
  it('joins lines split across chunks and drops CR and empty lines', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push('{"a":1}\r\n{"b"'), ['{"a":1}']);
    assert.deepEqual(s.push(':2}\n\n'), ['{"b":2}']);
    assert.deepEqual(s.push('tail'), []);
    assert.deepEqual(s.push('\n'), ['tail']);
  });
});

describe('parseProcStat', () => {
  it('counts idle and iowait as not busy and ignores guest time', () => {
    const text = 'cpu  100 5 50 800 20 3 2 10 7 0\ncpu0 50 2 25 400 10 1 1 5 3 0\nintr 1\n';
    assert.deepEqual(parseProcStat(text), { busy: 170, total: 990 });
  });

  it('returns undefined for text without a cpu line', () => {
    assert.equal(parseProcStat('intr 5\n'), undefined);
    assert.equal(parseProcStat('cpu  a b c d\n'), undefined);
  });

  it('busyPercent is the busy share between two samples', () => {
    assert.equal(busyPercent({ busy: 100, total: 1000 }, { busy: 150, total: 1100 }), 50);
    assert.ok(Number.isNaN(busyPercent(undefined, { busy: 1, total: 2 })));
    assert.ok(Number.isNaN(busyPercent({ busy: 1, total: 2 }, { busy: 1, total: 2 })));
  });
});

describe('payloadOffset', () => {
  it('skips CSRCs and a header extension (RFC 3550 §5.1, §5.3.1)', () => {
    const plain = new Uint8Array(20);
    plain[0] = 0x80;
    assert.equal(payloadOffset(plain), 12);
    const csrc = new Uint8Array(30);
    csrc[0] = 0x82;
    assert.equal(payloadOffset(csrc), 20);
    const ext = new Uint8Array(40);
    ext[0] = 0x90;
    ext[15] = 2; // two 32-bit words of extension
    assert.equal(payloadOffset(ext), 12 + 4 + 8);
  });

  it('returns -1 for a header longer than the packet', () => {
    const short = new Uint8Array(14);
    short[0] = 0x8f;
    assert.equal(payloadOffset(short), -1);
  });
});

describe('generator signals', () => {
  it('the tone is a steady 400 Hz at −20 dBFS', () => {
    const pcm = decodeMulaw(tonePayload());
    assert.equal(pcm.length, 160);
    const db = toneLevelDb(pcm, 8000, TONE_HZ, { window: 'rectangular' });
    assert.ok(Math.abs(db - -20) < 0.5, `level ${db}`);
  });

  it('silence decodes to zero and the click is full scale only at its start', () => {
    assert.ok(decodeMulaw(silencePayload()).every((v) => v === 0));
    const click = decodeMulaw(clickPayload());
    for (let i = 0; i < CLICK_SAMPLES; i++) assert.ok(Math.abs(click[i]) > 30000);
    assert.ok(click.subarray(CLICK_SAMPLES).every((v) => v === 0));
  });
});

describe('summariseProfile', () => {
  const frame = (functionName: string, url = 'file:///x/a.ts', lineNumber = 0) => ({
    functionName,
    url,
    lineNumber,
  });

  it('reports self and total shares of busy samples, idle excluded', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), hitCount: 0, children: [2, 5] },
        { id: 2, callFrame: frame('tick'), hitCount: 10, children: [3] },
        { id: 3, callFrame: frame('send'), hitCount: 30, children: [4] },
        { id: 4, callFrame: frame('tick'), hitCount: 10 },
        { id: 5, callFrame: frame('(idle)', ''), hitCount: 50 },
      ],
    };
    const rows = summariseProfile(profile);
    const tick = rows.find((r) => r.fn === 'tick a.ts:1');
    const send = rows.find((r) => r.fn === 'send a.ts:1');
    // 50 busy samples; tick recursion is counted once in its total.
    assert.deepEqual(tick, { fn: 'tick a.ts:1', self_pct: 40, total_pct: 100 });
    assert.deepEqual(send, { fn: 'send a.ts:1', self_pct: 60, total_pct: 80 });
    assert.equal(
      rows.some((r) => r.fn === '(idle)'),
      false,
    );
    assert.equal(rows[0].fn, 'tick a.ts:1');
  });
});
