import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  StreamFramer,
  contentLength,
  type FrameEvent,
} from '../../../src/sip/transport/stream-framer.js';

const MSG1 =
  'OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK1\r\n' +
  'Content-Length: 5\r\n\r\nhello';
const MSG2 = 'SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK1\r\nl: 0\r\n\r\n';

function messages(events: FrameEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'message' ? [e.data.toString('latin1')] : []));
}

describe('StreamFramer (RFC 3261 §18.3)', () => {
  it('emits a whole message given in one chunk', () => {
    const f = new StreamFramer(65535);
    assert.deepEqual(messages(f.push(Buffer.from(MSG1))), [MSG1]);
    assert.equal(f.pending, 0);
  });

  it('reassembles a message split at every byte', () => {
    const f = new StreamFramer(65535);
    const out: string[] = [];
    const bytes = Buffer.from(MSG1 + MSG2);
    for (let i = 0; i < bytes.length; i++) out.push(...messages(f.push(bytes.subarray(i, i + 1))));
    assert.deepEqual(out, [MSG1, MSG2]);
  });

  it('emits two messages from one chunk, and keeps a partial third', () => {
    const f = new StreamFramer(65535);
    const third = MSG1.slice(0, 40);
    assert.deepEqual(messages(f.push(Buffer.from(MSG1 + MSG2 + third))), [MSG1, MSG2]);
    assert.equal(f.pending, third.length);
    assert.deepEqual(messages(f.push(Buffer.from(MSG1.slice(40)))), [MSG1]);
  });

  it('splits the header terminator across chunks', () => {
    const f = new StreamFramer(65535);
    const cut = MSG2.length - 2;
    assert.deepEqual(messages(f.push(Buffer.from(MSG2.slice(0, cut)))), []);
    assert.deepEqual(messages(f.push(Buffer.from(MSG2.slice(cut)))), [MSG2]);
  });

  it('waits for the whole body', () => {
    const f = new StreamFramer(65535);
    assert.deepEqual(messages(f.push(Buffer.from(MSG1.slice(0, -2)))), []);
    assert.deepEqual(messages(f.push(Buffer.from(MSG1.slice(-2)))), [MSG1]);
  });

  it('reports a double-CRLF ping, ignores a lone CRLF (RFC 5626 §3.5.1, RFC 3261 §7.5)', () => {
    const f = new StreamFramer(65535);
    assert.deepEqual(f.push(Buffer.from('\r\n\r\n')), [{ type: 'ping' }]);
    assert.deepEqual(f.push(Buffer.from('\r\n')), []);
    const events = f.push(Buffer.from(MSG2));
    assert.deepEqual(messages(events), [MSG2]);
    assert.equal(events.length, 1);
  });

  it('detects a ping split across chunks', () => {
    const f = new StreamFramer(65535);
    assert.deepEqual(f.push(Buffer.from('\r')), []);
    assert.deepEqual(f.push(Buffer.from('\n\r')), []);
    assert.deepEqual(f.push(Buffer.from('\n')), [{ type: 'ping' }]);
  });

  it('accepts bare-LF line endings', () => {
    const f = new StreamFramer(65535);
    const msg =
      'SIP/2.0 200 OK\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK1\nContent-Length: 2\n\nok';
    assert.deepEqual(messages(f.push(Buffer.from(msg))), [msg]);
  });

  it('fails on a missing Content-Length and then ignores input', () => {
    const f = new StreamFramer(65535);
    const events = f.push(Buffer.from('SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h\r\n\r\n'));
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'error');
    assert.ok(f.failed);
    assert.deepEqual(f.push(Buffer.from(MSG2)), []);
  });

  it('fails when headers never end within the cap', () => {
    const f = new StreamFramer(1000);
    let failed = false;
    for (let i = 0; i < 100 && !failed; i++) {
      failed = f
        .push(Buffer.from(`X-Junk-${i}: ${'a'.repeat(30)}\r\n`))
        .some((e) => e.type === 'error');
    }
    assert.ok(failed);
    assert.equal(f.pending, 0);
  });

  it('fails when the announced body exceeds the cap', () => {
    const f = new StreamFramer(1000);
    const events = f.push(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 5000\r\n\r\n'));
    assert.equal(events[0]?.type, 'error');
  });
});

describe('contentLength', () => {
  it('reads the long and compact forms, any case, with spaces', () => {
    assert.equal(contentLength('INVITE sip:x SIP/2.0\r\ncontent-LENGTH :  12 '), 12);
    assert.equal(contentLength('INVITE sip:x SIP/2.0\r\nL: 7'), 7);
  });

  it('does not take a Content-Length from the start-line or from other headers', () => {
    assert.equal(typeof contentLength('INVITE sip:l:1@x SIP/2.0\r\nX-Content-Length: 3'), 'string');
  });

  it('rejects malformed, negative and conflicting values', () => {
    assert.equal(typeof contentLength('A\r\nContent-Length: -1'), 'string');
    assert.equal(typeof contentLength('A\r\nContent-Length: 1x'), 'string');
    assert.equal(typeof contentLength('A\r\nContent-Length: 1\r\nl: 2'), 'string');
    assert.equal(contentLength('A\r\nContent-Length: 2\r\nl: 2'), 2);
  });

  it('reads a folded value', () => {
    assert.equal(contentLength('A\r\nContent-Length:\r\n  42'), 42);
  });
});

describe('StreamFramer cost of trickled input', () => {
  /** Best of three runs (ms) of feeding `chunks` one byte at a time. */
  function timeOf(chunks: Buffer, expectedEvents: number): number {
    let best = Infinity;
    for (let run = 0; run < 3; run++) {
      const framer = new StreamFramer(65_535);
      let events = 0;
      const t0 = performance.now();
      for (let i = 0; i < chunks.length; i++)
        events += framer.push(chunks.subarray(i, i + 1)).length;
      best = Math.min(best, performance.now() - t0);
      assert.equal(events, expectedEvents);
    }
    return best;
  }

  it('a 64 000-byte header section in one-byte chunks costs about what 64 000 tiny pushes do', () => {
    const head = 'OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 0\r\nX-Pad: ';
    const message = Buffer.from(head + 'a'.repeat(64_000 - head.length - 4) + '\r\n\r\n');
    // The same number of pushes with (almost) nothing buffered: CRLF CRLF pings.
    const pings = Buffer.from('\r\n\r\n'.repeat(16_000));
    timeOf(pings, 16_000); // warm up the JIT
    timeOf(message, 1);
    const baseline = timeOf(pings, 16_000);
    const trickled = timeOf(message, 1);
    // Re-copying the pending buffer on every chunk (the old framer) made it ~30×.
    assert.ok(
      trickled < 5 * baseline + 20,
      `trickled ${trickled.toFixed(1)} ms vs ${baseline.toFixed(1)} ms for as many pushes`,
    );
  });
});
