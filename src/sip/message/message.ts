/**
 * SIP requests and responses (RFC 3261 §7). The header list is the single
 * source of truth; typed accessors parse on demand and cache the result on
 * the header entry, so one that is modified (Headers.set/prepend replace
 * entries) never serves a stale value. parseMessage fills these caches for
 * Via, From, To, CSeq, Contact, Route and Record-Route while validating, so
 * on a parsed message those accessors cannot throw (except contacts() on
 * "Contact: *", which is not a name-addr).
 */
import { Headers, splitTopLevelCommas, type HeaderEntry } from './headers.js';
import { parseCSeq, parseNameAddr, parseVia } from './header-values.js';
import type { CSeq, NameAddr, Uri, Via } from './types.js';
import { SipParseError } from './errors.js';
import { detach } from './strings.js';

type ParsedEntry = HeaderEntry & { parsed?: unknown };

function parsedValues<T>(headers: Headers, key: string, parse: (v: string) => T): T[] {
  const out: T[] = [];
  for (const e of headers.entries as ParsedEntry[]) {
    if (e.key !== key) continue;
    let parsed = e.parsed as T[] | undefined;
    if (parsed === undefined) {
      // Only list-valued headers (Via, Contact, Route ...) come here (§7.3.1).
      const v = e.value;
      parsed = v.indexOf(',') < 0 ? [parse(v)] : splitTopLevelCommas(v).map(parse);
      e.parsed = parsed;
    }
    // A fresh array each call: callers may change it without touching the cache.
    for (let i = 0; i < parsed.length; i++) out.push(parsed[i]!);
  }
  return out;
}

function firstParsed<T>(headers: Headers, key: string, parse: (v: string) => T): T {
  for (const e of headers.entries as ParsedEntry[]) {
    if (e.key !== key) continue;
    if (e.parsed === undefined) e.parsed = parse(e.value);
    return e.parsed as T;
  }
  throw new SipParseError(`Missing ${key} header`);
}

/**
 * The body of a message without one. Shared: a zero-length Buffer cannot be
 * written to, and a lingering transaction's response then costs no Buffer.
 */
const EMPTY_BODY = Buffer.alloc(0);

abstract class SipMessageBase {
  version = 'SIP/2.0';
  headers: Headers;
  body: Buffer;

  constructor(headers?: Headers, body?: Buffer) {
    this.headers = headers ?? new Headers();
    this.body = body ?? EMPTY_BODY;
  }

  /**
   * Drops the cached parsed header values (they are rebuilt on demand) and
   * copies the header texts out of the message they were read from (see
   * strings.ts). For messages kept a long time but rarely read again — a
   * transaction lingering for 64·T1 to absorb retransmissions holds its
   * final response — the caches (URIs, parameter maps) and the received
   * message the values point into are most of their memory.
   */
  compact(): void {
    for (const e of this.headers.entries as ParsedEntry[]) {
      if (e.parsed !== undefined) e.parsed = undefined;
      e.name = detach(e.name);
      e.value = detach(e.value);
    }
  }

  /** All Via values, topmost first (§20.42). */
  vias(): Via[] {
    return parsedValues(this.headers, 'via', parseVia);
  }

  topVia(): Via {
    const v = this.vias()[0];
    if (!v) throw new SipParseError('Missing Via header');
    return v;
  }

  from(): NameAddr {
    return firstParsed(this.headers, 'from', parseNameAddr);
  }

  to(): NameAddr {
    return firstParsed(this.headers, 'to', parseNameAddr);
  }

  callId(): string {
    const v = this.headers.get('call-id');
    if (v === undefined) throw new SipParseError('Missing Call-ID header');
    return v;
  }

  cseq(): CSeq {
    return firstParsed(this.headers, 'cseq', parseCSeq);
  }

  /** Contact values; an empty list when absent. `*` (REGISTER only) is not a name-addr and is rejected. */
  contacts(): NameAddr[] {
    return parsedValues(this.headers, 'contact', parseNameAddr);
  }

  recordRoutes(): NameAddr[] {
    return parsedValues(this.headers, 'record-route', parseNameAddr);
  }

  routes(): NameAddr[] {
    return parsedValues(this.headers, 'route', parseNameAddr);
  }

  contentType(): string | undefined {
    return this.headers.get('content-type');
  }
}

export class SipRequest extends SipMessageBase {
  readonly kind = 'request' as const;
  method: string;
  uri: Uri;

  constructor(method: string, uri: Uri, headers?: Headers, body?: Buffer) {
    super(headers, body);
    this.method = method;
    this.uri = uri;
  }
}

export class SipResponse extends SipMessageBase {
  readonly kind = 'response' as const;
  status: number;
  reason: string;

  constructor(status: number, reason: string, headers?: Headers, body?: Buffer) {
    super(headers, body);
    this.status = status;
    this.reason = reason;
  }
}

export type SipMessage = SipRequest | SipResponse;
