/**
 * Splits a SIP byte stream (TCP) into messages, RFC 3261 §18.3: a message
 * is its header section up to the first empty line, then exactly
 * Content-Length bytes of body. Content-Length is mandatory on streams
 * (§20.14) — without it the next message cannot be found, so the stream is
 * unusable and the connection must go.
 *
 * CRLFs before a start-line are ignored (§7.5); a double CRLF there is an
 * RFC 5626 §3.5.1 keep-alive "ping" that the caller answers with a single
 * CRLF "pong".
 *
 * The buffer is capped at maxMessageBytes: a peer sending endless headers
 * (or announcing a huge body) makes the framer fail instead of growing
 * memory without bound.
 */

export type FrameEvent =
  { type: 'message'; data: Buffer } | { type: 'ping' } | { type: 'error'; reason: string };

type FramerState =
  /** Between messages: only CRLF keep-alives or the first byte of a start-line are expected. */
  | { name: 'idle' }
  /** Inside a header section, looking for CRLFCRLF; `searchFrom` avoids rescanning. */
  | { name: 'headers'; searchFrom: number }
  /** Header section complete; waiting until `total` bytes (headers + body) are buffered. */
  | { name: 'body'; total: number }
  /** A framing error occurred; the stream cannot be resynchronised. */
  | { name: 'failed' };

const CR = 0x0d;
const LF = 0x0a;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const LFLF = Buffer.from('\n\n', 'latin1');
const LFCRLF = Buffer.from('\n\r\n', 'latin1');

/**
 * The empty line ending a header section (§7.5): CRLF CRLF, or — tolerated
 * like the message parser does — a bare-LF variant. Returns where the header
 * text ends and the body starts, or null if not yet buffered.
 */
function findEndOfHeaders(
  buf: Buffer,
  from: number,
): { headEnd: number; bodyStart: number } | null {
  let best: { headEnd: number; bodyStart: number } | null = null;
  for (const sep of [CRLFCRLF, LFLF, LFCRLF]) {
    const at = buf.indexOf(sep, from);
    if (at >= 0 && (!best || at < best.headEnd)) best = { headEnd: at, bodyStart: at + sep.length };
  }
  return best;
}

export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  private state: FramerState = { name: 'idle' };
  /** Consecutive CRLFs seen while idle; two make a keep-alive ping. */
  private crlfRun = 0;

  constructor(private readonly maxMessageBytes: number) {}

  get failed(): boolean {
    return this.state.name === 'failed';
  }

  /** Bytes buffered but not yet emitted (a partial message). */
  get pending(): number {
    return this.buf.length;
  }

  /** Feeds a chunk; returns what became complete, in stream order. */
  push(chunk: Buffer): FrameEvent[] {
    const events: FrameEvent[] = [];
    if (this.state.name === 'failed') return events;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);

    for (;;) {
      // Every path to 'failed' returns, so the loop only sees live states.
      const state = this.state;

      if (state.name === 'idle') {
        while (this.buf.length >= 2 && this.buf[0] === CR && this.buf[1] === LF) {
          this.buf = this.buf.subarray(2);
          if (++this.crlfRun === 2) {
            events.push({ type: 'ping' });
            this.crlfRun = 0;
          }
        }
        // Nothing left, or half a CRLF that the next chunk may complete.
        if (this.buf.length === 0 || (this.buf.length === 1 && this.buf[0] === CR)) return events;
        this.crlfRun = 0;
        this.state = { name: 'headers', searchFrom: 0 };
        continue;
      }

      if (state.name === 'headers') {
        const end = findEndOfHeaders(this.buf, state.searchFrom);
        if (!end) {
          if (this.buf.length > this.maxMessageBytes) {
            return this.fail(events, `header section exceeds ${this.maxMessageBytes} bytes`);
          }
          // The terminator may straddle the next chunk: rescan the last 3 bytes.
          state.searchFrom = Math.max(0, this.buf.length - 3);
          return events;
        }
        const length = contentLength(this.buf.subarray(0, end.headEnd).toString('latin1'));
        if (typeof length === 'string') return this.fail(events, length);
        const total = end.bodyStart + length;
        if (total > this.maxMessageBytes) {
          return this.fail(events, `message of ${total} bytes exceeds ${this.maxMessageBytes}`);
        }
        this.state = { name: 'body', total };
        continue;
      }

      // body
      if (this.buf.length < state.total) return events;
      // Copy so the emitted message does not pin the (possibly larger) receive buffer.
      events.push({ type: 'message', data: Buffer.from(this.buf.subarray(0, state.total)) });
      this.buf = this.buf.subarray(state.total);
      this.state = { name: 'idle' };
    }
  }

  private fail(events: FrameEvent[], reason: string): FrameEvent[] {
    this.state = { name: 'failed' };
    this.buf = Buffer.alloc(0);
    events.push({ type: 'error', reason });
    return events;
  }
}

/**
 * Content-Length of a header section (start-line included, final empty
 * line excluded), in its long or compact (`l`, §7.3.3) form. Returns an error text
 * when it is missing, malformed or given twice with different values.
 */
export function contentLength(headerSection: string): number | string {
  const lines = headerSection.split(/\r?\n/);
  let found: number | undefined;
  // Line 0 is the start-line. Folded continuation lines (§7.3.1) start with
  // whitespace and never begin a header, so they are skipped naturally.
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0 || line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== 'content-length' && name !== 'l') continue;
    let value = line.slice(colon + 1).trim();
    // A folded value continues on the following whitespace-led lines.
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) value += lines[++i]!.trim();
    if (!/^\d{1,10}$/.test(value)) return `invalid Content-Length "${value}"`;
    const n = Number(value);
    if (found !== undefined && found !== n) return 'conflicting Content-Length headers';
    found = n;
  }
  if (found === undefined) return 'missing Content-Length on a stream transport (RFC 3261 §18.3)';
  return found;
}
