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
 *
 * Chunks are appended into a buffer that grows by doubling (amortised O(1)
 * per byte): concatenating the whole pending buffer with every chunk made a
 * peer trickling one byte per segment cost O(n²) copying (65 000 one-byte
 * chunks took over a second of CPU).
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
/**
 * The empty line ending a header section (§7.5): CRLF CRLF, or — tolerated
 * like the message parser does — LF LF or LF CRLF. Returns where the header
 * text ends and the body starts, or null if not yet buffered.
 *
 * One pass over the new bytes looking at each LF (every terminator contains
 * one): the earliest terminator is found at the first LF that completes one.
 */
function findEndOfHeaders(
  buf: Buffer,
  from: number,
): { headEnd: number; bodyStart: number } | null {
  for (let i = buf.indexOf(LF, from); i >= 0 && i + 1 < buf.length; i = buf.indexOf(LF, i + 1)) {
    const next = buf[i + 1];
    if (next === LF) return { headEnd: i, bodyStart: i + 2 };
    if (next === CR && i + 2 < buf.length && buf[i + 2] === LF) {
      return { headEnd: i > 0 && buf[i - 1] === CR ? i - 1 : i, bodyStart: i + 3 };
    }
  }
  return null;
}

export class StreamFramer {
  /** Pending bytes are store[start, end); store may be the caller's last chunk (never written to). */
  private store: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  private state: FramerState = { name: 'idle' };
  /** Consecutive CRLFs seen while idle; two make a keep-alive ping. */
  private crlfRun = 0;

  constructor(private readonly maxMessageBytes: number) {}

  get failed(): boolean {
    return this.state.name === 'failed';
  }

  /** Bytes buffered but not yet emitted (a partial message). */
  get pending(): number {
    return this.end - this.start;
  }

  /**
   * Whether a message has begun (its start-line or headers are arriving) and
   * is not complete yet: the connection holds it to a deadline.
   */
  get inMessage(): boolean {
    return this.state.name === 'headers' || this.state.name === 'body';
  }

  /** Whether the header section of the message being received is complete. */
  get inBody(): boolean {
    return this.state.name === 'body';
  }

  /** Feeds a chunk; returns what became complete, in stream order. */
  push(chunk: Buffer): FrameEvent[] {
    const events: FrameEvent[] = [];
    if (this.state.name === 'failed') return events;
    this.append(chunk);

    for (;;) {
      // Every path to 'failed' returns, so the loop only sees live states.
      const state = this.state;

      if (state.name === 'idle') {
        while (
          this.pending >= 2 &&
          this.store[this.start] === CR &&
          this.store[this.start + 1] === LF
        ) {
          this.start += 2;
          if (++this.crlfRun === 2) {
            events.push({ type: 'ping' });
            this.crlfRun = 0;
          }
        }
        // Nothing left, or half a CRLF that the next chunk may complete.
        if (this.pending === 0 || (this.pending === 1 && this.store[this.start] === CR))
          return events;
        this.crlfRun = 0;
        this.state = { name: 'headers', searchFrom: 0 };
        continue;
      }

      const buf = this.store.subarray(this.start, this.end);
      if (state.name === 'headers') {
        const end = findEndOfHeaders(buf, state.searchFrom);
        if (!end) {
          if (buf.length > this.maxMessageBytes) {
            return this.fail(events, `header section exceeds ${this.maxMessageBytes} bytes`);
          }
          // The terminator may straddle the next chunk: rescan the last 3 bytes.
          state.searchFrom = Math.max(0, buf.length - 3);
          return events;
        }
        const length = contentLength(buf.subarray(0, end.headEnd).toString('latin1'));
        if (typeof length === 'string') return this.fail(events, length);
        const total = end.bodyStart + length;
        if (total > this.maxMessageBytes) {
          return this.fail(events, `message of ${total} bytes exceeds ${this.maxMessageBytes}`);
        }
        this.state = { name: 'body', total };
        continue;
      }

      // body
      if (buf.length < state.total) return events;
      // Copy so the emitted message does not pin (or see later writes to) the receive buffer.
      events.push({ type: 'message', data: Buffer.from(buf.subarray(0, state.total)) });
      this.start += state.total;
      this.state = { name: 'idle' };
    }
  }

  private append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const pending = this.end - this.start;
    if (pending === 0) {
      // Nothing buffered: use the chunk as it is, no copy (the common case).
      this.store = chunk;
      this.start = 0;
      this.end = chunk.length;
      return;
    }
    if (this.end + chunk.length > this.store.length) {
      // Full (or a borrowed chunk, which is exactly full): move the pending
      // bytes to a buffer twice the size needed, so growth is amortised.
      const next = Buffer.allocUnsafe(Math.max(4096, 2 * (pending + chunk.length)));
      this.store.copy(next, 0, this.start, this.end);
      this.store = next;
      this.start = 0;
      this.end = pending;
    }
    chunk.copy(this.store, this.end);
    this.end += chunk.length;
  }

  private fail(events: FrameEvent[], reason: string): FrameEvent[] {
    this.state = { name: 'failed' };
    this.store = Buffer.alloc(0);
    this.start = this.end = 0;
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
