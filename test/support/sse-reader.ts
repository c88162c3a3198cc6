/**
 * Reads a Partyline live stream (GET /v1/events/stream) in a test: the
 * frames (parsed by the console's SseParser) and the comment lines.
 */
import { SseParser, type SseFrame } from '../../src/console/web/sse.js';

/** A live stream's frames and comment lines as they come (fetch, parsed by the console's own parser). */
export class SseReader {
  readonly frames: SseFrame[] = [];
  readonly comments: string[] = [];
  ended = false;
  private readonly abort = new AbortController();
  private wake: (() => void) | null = null;
  status = 0;

  static async open(
    authorization: string,
    url: string,
    headers: Record<string, string> = {},
  ): Promise<SseReader> {
    const r = new SseReader();
    const res = await fetch(url, {
      headers: { authorization, ...headers },
      signal: r.abort.signal,
    });
    r.status = res.status;
    if (res.ok && res.body) void r.pump(res.body);
    return r;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        const text = decoder.decode(chunk, { stream: true });
        for (const line of text.split('\n')) if (line.startsWith(':')) this.comments.push(line);
        this.frames.push(...parser.feed(text));
        this.wake?.();
      }
    } catch {
      // Aborted by close().
    }
    this.ended = true;
    this.wake?.();
  }

  async waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; frames: ${this.events().join(', ')}`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 100);
      });
    }
  }

  events(): string[] {
    return this.frames.map((f) => f.event);
  }

  close(): void {
    this.abort.abort();
  }
}
