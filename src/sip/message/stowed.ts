/**
 * A message kept only to be sent again, held as its wire form.
 *
 * Transactions keep a message for 64·T1 (32 s over UDP) after they are
 * done with it, only to answer a retransmission that seldom comes: the
 * final response of a server transaction, the ACK of a non-2xx, the ACK of
 * an answered call (RFC 3261 §17.1.1.3, §17.2.2, §13.2.2.4). As parsed
 * objects those are dozens of small objects each (a header entry per line,
 * its strings, the URI caches), and at 100 calls/s the ~3 000 of them alive
 * at once were most of what the garbage collector copied and promoted. As
 * bytes they are one Buffer each, outside the JavaScript heap, parsed back
 * on the rare retransmission.
 */
import type { SipMessage } from './message.js';
import { parseMessage } from './parser.js';
import { serializeMessage } from './serializer.js';

export class Stowed<M extends SipMessage> {
  private constructor(private readonly wire: Buffer) {}

  static of<M extends SipMessage>(message: M): Stowed<M> {
    return new Stowed<M>(serializeMessage(message));
  }

  /** Bytes on the wire. */
  get size(): number {
    return this.wire.length;
  }

  /**
   * The message again, as a new object parsed from what was written. Throws
   * when it does not parse: only a message this stack wrote can be stowed,
   * and the parser reads everything the serializer writes (serializer.test.ts).
   */
  message(): M {
    const parsed = parseMessage(this.wire);
    if (!parsed.ok) throw parsed.error;
    return parsed.message as M;
  }

  /**
   * The message again, to be sent again; undefined (logged, with `context`)
   * if it does not parse, which only a serializer/parser mismatch could
   * cause: the retransmission then goes unanswered and the peer retries or
   * gives up.
   */
  messageOr(logger: StowedLogger, context: Record<string, unknown>): M | undefined {
    try {
      return this.message();
    } catch (err) {
      logger.error({ err, ...context }, 'a stowed message does not parse; not re-sent');
      return undefined;
    }
  }
}

/** Where messageOr reports (a pino logger is one). */
export interface StowedLogger {
  error(obj: object, msg: string): void;
}
