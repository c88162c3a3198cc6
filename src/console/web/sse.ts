/**
 * Server-Sent Events over fetch(): EventSource cannot send an Authorization
 * header, and the token must never go in a URL, so the console reads
 * `GET /v1/events/stream` as a byte stream and parses it here (the WHATWG
 * "event stream interpretation", minus what the server never sends).
 * Reconnects with Last-Event-ID after the delay the server asked for.
 * No DOM: it runs (and is unit-tested) in Node too.
 */

export interface SseFrame {
  id: string | null;
  event: string;
  data: string;
}

/** Incremental parser: feed it text as it arrives, get the complete frames. */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | null = null;
  /** The last `retry:` the server sent, ms. */
  retryMs: number | null = null;

  feed(text: string): SseFrame[] {
    this.buffer += text;
    const frames: SseFrame[] = [];
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      const eol = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (eol === 1 && this.buffer[nl] === '\r' && nl === this.buffer.length - 1) break;
      this.buffer = this.buffer.slice(nl + eol);
      const frame = this.line(line);
      if (frame) frames.push(frame);
    }
    return frames;
  }

  private line(line: string): SseFrame | null {
    if (line === '') {
      if (this.data.length === 0) {
        this.event = '';
        return null;
      }
      const frame = { id: this.id, event: this.event || 'message', data: this.data.join('\n') };
      this.data = [];
      this.event = '';
      return frame;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return null;
  }
}

/** The stream answered with an error (401, 404, …): reconnecting would not help. */
export class StreamRefused extends Error {
  override name = 'StreamRefused';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface LiveStreamOptions {
  url: string;
  authorization: string;
  onFrame(frame: SseFrame): void;
  /** Connected (true) or lost, about to retry (false). */
  onStatus?(connected: boolean): void;
  /** The server refused the stream: it stops. */
  onRefused?(error: StreamRefused): void;
  fetch?: typeof fetch;
}

/** One stream, reconnected until stop(): resumes from the last frame it got. */
export class LiveStream {
  private readonly abort = new AbortController();
  private lastEventId: string | null = null;
  private retryMs = 2000;
  private stopped = false;

  constructor(private readonly o: LiveStreamOptions) {}

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.connect();
      } catch (err) {
        if (err instanceof StreamRefused) {
          this.stopped = true;
          this.o.onRefused?.(err);
          return;
        }
        // A network error or an aborted read: retry below (unless stopped).
      }
      if (this.stopped) return;
      this.o.onStatus?.(false);
      await new Promise((r) => setTimeout(r, this.retryMs));
    }
  }

  private async connect(): Promise<void> {
    const headers: Record<string, string> = {
      authorization: this.o.authorization,
      accept: 'text/event-stream',
    };
    if (this.lastEventId !== null) headers['last-event-id'] = this.lastEventId;
    const res = await (this.o.fetch ?? fetch)(this.o.url, { headers, signal: this.abort.signal });
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => '');
      let message = `the live stream answered ${res.status}`;
      try {
        message = String((JSON.parse(text) as { error?: unknown }).error ?? message);
      } catch {
        // Not our JSON error: the status says it.
      }
      if (res.status >= 400 && res.status < 500 && res.status !== 429)
        throw new StreamRefused(res.status, message);
      throw new Error(message);
    }
    this.o.onStatus?.(true);
    const parser = new SseParser();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const frame of parser.feed(value)) {
        if (frame.id !== null) this.lastEventId = frame.id;
        this.o.onFrame(frame);
      }
      if (parser.retryMs !== null) this.retryMs = parser.retryMs;
    }
  }
}
