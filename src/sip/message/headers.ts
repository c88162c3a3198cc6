/**
 * An ordered SIP header list (RFC 3261 §7.3). Order and the spelling of each
 * header name are kept as received so that serialise(parse(m)) is stable and
 * unknown headers pass through untouched.
 *
 * Each entry holds the raw, unfolded value of one header line. A line may
 * carry several comma-separated values (§7.3.1); `values()` splits them.
 */

/** Compact forms, RFC 3261 §7.3.3 plus the registered extensions (o, u, r, k, s, e, x). */
const COMPACT: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  v: 'via',
  f: 'from',
  t: 'to',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
  o: 'event',
  u: 'allow-events',
  r: 'refer-to',
  // RFC 4028 §4.
  x: 'session-expires',
};

/**
 * Canonical keys of the headers this stack and its peers commonly use. Keys
 * come from these literals so that they are interned strings and every
 * `e.key === 'via'` comparison in the layers above is a pointer check.
 */
const KNOWN = [
  'accept',
  'accept-encoding',
  'accept-language',
  'alert-info',
  'allow',
  'allow-events',
  'authentication-info',
  'authorization',
  'call-id',
  'call-info',
  'contact',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-length',
  'content-type',
  'cseq',
  'date',
  'error-info',
  'event',
  'expires',
  'from',
  'in-reply-to',
  'max-forwards',
  'mime-version',
  'min-expires',
  'min-se',
  'organization',
  'p-asserted-identity',
  'p-preferred-identity',
  'path',
  'priority',
  'privacy',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-require',
  'rack',
  'reason',
  'record-route',
  'refer-to',
  'referred-by',
  'replaces',
  'reply-to',
  'require',
  'retry-after',
  'route',
  'rseq',
  'server',
  'session-expires',
  'subject',
  'subscription-state',
  'supported',
  'timestamp',
  'to',
  'unsupported',
  'user-agent',
  'via',
  'warning',
  'www-authenticate',
];

/** Spellings seen on the wire (lower case, Title-Case, RFC spelling, compact) → canonical key. */
const SPELLINGS = new Map<string, string>();
for (const key of KNOWN) {
  SPELLINGS.set(key, key);
  SPELLINGS.set(
    key.replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase()),
    key,
  );
}
for (const [spelling, key] of [
  ['Call-ID', 'call-id'],
  ['CSeq', 'cseq'],
  ['WWW-Authenticate', 'www-authenticate'],
  ['MIME-Version', 'mime-version'],
  ['Min-SE', 'min-se'],
  ['RSeq', 'rseq'],
  ['RAck', 'rack'],
] as const) {
  SPELLINGS.set(spelling, key);
}
for (const [c, key] of Object.entries(COMPACT)) {
  const canonical = SPELLINGS.get(key) ?? key;
  SPELLINGS.set(c, canonical);
  SPELLINGS.set(c.toUpperCase(), canonical);
}

/**
 * Known spellings bucketed by (length, first char), so the parser can
 * recognise a header name in place without slicing or hashing it.
 */
const MAX_KNOWN_LENGTH = 32;
const BY_SHAPE: (Array<readonly [string, string]> | undefined)[] = [];
for (const [spelling, key] of SPELLINGS) {
  if (spelling.length > MAX_KNOWN_LENGTH) continue;
  const at = spelling.length * 128 + spelling.charCodeAt(0);
  (BY_SHAPE[at] ??= []).push([spelling, key]);
}

/**
 * The known spelling written at s[start, end) as [spelling, key] (both
 * interned strings), or undefined. For the parser's hot path.
 */
export function knownHeaderName(
  s: string,
  start: number,
  end: number,
): readonly [string, string] | undefined {
  const len = end - start;
  if (len > MAX_KNOWN_LENGTH || len === 0) return undefined;
  const bucket = BY_SHAPE[len * 128 + (s.charCodeAt(start) & 0x7f)];
  if (bucket === undefined) return undefined;
  for (let i = 0; i < bucket.length; i++) {
    const candidate = bucket[i]!;
    if (s.startsWith(candidate[0], start)) return candidate;
  }
  return undefined;
}

/** Canonical (lower-case, long-form) key of a header name. */
export function headerKey(name: string): string {
  const known = SPELLINGS.get(name);
  if (known !== undefined) return known;
  const lower = name.toLowerCase();
  if (lower.length === 1) return COMPACT[lower] ?? lower;
  return SPELLINGS.get(lower) ?? lower;
}

/** Headers whose values may not be split at commas (§7.3.1: they contain unquoted commas). */
const UNSPLITTABLE = new Set([
  'www-authenticate',
  'authorization',
  'proxy-authenticate',
  'proxy-authorization',
  'date',
  'call-id',
  'cseq',
  'content-length',
  'content-type',
  'subject',
  'user-agent',
  'server',
  'organization',
  'retry-after',
  'timestamp',
  'max-forwards',
  'expires',
  'min-expires',
]);

export interface HeaderEntry {
  /** The name as written on the wire (compact or long form, original case). */
  name: string;
  /** Canonical key: lower-case long form. */
  key: string;
  /** The unfolded value with surrounding whitespace trimmed. */
  value: string;
}

export class Headers {
  readonly entries: HeaderEntry[] = [];

  /** Appends a header line at the end (the order of same-named lines is significant). */
  append(name: string, value: string): this {
    this.entries.push({ name, key: headerKey(name), value });
    return this;
  }

  /** Inserts a header line before the first line of the same name (used for Via, §16.6 / §8.1.1.7). */
  prepend(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.entries.findIndex((e) => e.key === key);
    const entry = { name, key, value };
    if (at < 0) this.entries.push(entry);
    else this.entries.splice(at, 0, entry);
    return this;
  }

  /** Replaces every line of that name by one line with `value` (kept at the first line's place). */
  set(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.entries.findIndex((e) => e.key === key);
    if (at < 0) return this.append(name, value);
    this.entries[at] = { name: this.entries[at]!.name, key, value };
    for (let i = this.entries.length - 1; i > at; i--) {
      if (this.entries[i]!.key === key) this.entries.splice(i, 1);
    }
    return this;
  }

  delete(name: string): this {
    const key = headerKey(name);
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i]!.key === key) this.entries.splice(i, 1);
    }
    return this;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.entries.some((e) => e.key === key);
  }

  /** The raw value of the first line of that name. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const e of this.entries) if (e.key === key) return e.value;
    return undefined;
  }

  /** The raw values of every line of that name, in order (not split at commas). */
  lines(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const e of this.entries) if (e.key === key) out.push(e.value);
    return out;
  }

  /**
   * Every value of that header, in order: lines split at top-level commas
   * (outside quotes and angle brackets), as RFC 3261 §7.3.1 makes
   * "Via: a, b" equal to two Via lines.
   */
  values(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const e of this.entries) {
      if (e.key !== key) continue;
      if (UNSPLITTABLE.has(key)) out.push(e.value);
      else splitTopLevelCommas(e.value, out);
    }
    return out;
  }

  clone(): Headers {
    const h = new Headers();
    for (const e of this.entries) h.entries.push({ ...e });
    return h;
  }
}

/** Splits a header value at commas that are outside quoted strings and <...>. */
export function splitTopLevelCommas(value: string, out: string[] = []): string[] {
  if (value.indexOf(',') < 0) {
    out.push(value);
    return out;
  }
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 0x5c)
        i++; // backslash escapes the next char (§25.1 quoted-pair)
      else if (c === 0x22) inQuote = false;
    } else if (c === 0x22) inQuote = true;
    else if (c === 0x3c) inAngle = true;
    else if (c === 0x3e) inAngle = false;
    else if (c === 0x2c && !inAngle) {
      const part = value.slice(start, i).trim();
      if (part) out.push(part);
      start = i + 1;
    }
  }
  const last = value.slice(start).trim();
  if (last) out.push(last);
  return out;
}
