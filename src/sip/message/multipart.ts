/**
 * Message bodies made of parts (RFC 3261 §7.4, RFC 5621, RFC 2046 §5.1):
 * the media type of a Content-Type or Content-Disposition value, and the
 * parts of a `multipart/*` body. SIP-I / SIP-T carriers (RFC 3204, ITU-T
 * Q.1912.5) send `multipart/mixed` with the SDP and an ISUP part.
 *
 * Works on Buffers, not strings: an ISUP part is binary and may hold any
 * byte. Bounded against hostile input: at most MAX_PARTS parts per body and
 * MAX_DEPTH levels of nesting; anything malformed yields no parts rather
 * than an exception.
 */
import { splitParamsOutsideQuotes, unquoteLenient } from './lenient-params.js';

/** A media type (`application/sdp`) or disposition type (`session`) with its parameters, lower-cased names. */
export interface MediaType {
  /** `type/subtype` (or the disposition type), lower case, no parameters. */
  type: string;
  params: Map<string, string>;
}

/** One part of a multipart body (RFC 2046 §5.1.1): its own headers and content. */
export interface BodyPart {
  /** Header values by lower-cased name (first occurrence wins). */
  headers: Map<string, string>;
  body: Buffer;
}

const MAX_PARTS = 16;
const MAX_DEPTH = 3;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Parses `type/subtype;name=value;name="quoted value"` (RFC 3261 §20.15,
 * §20.11 for Content-Disposition). Parameter names are lower-cased; quoted
 * values are unquoted (RFC 2045 §5.1).
 */
export function parseMediaType(value: string): MediaType {
  const pieces = splitParamsOutsideQuotes(value);
  const type = (pieces[0] ?? '').trim().toLowerCase();
  const params = new Map<string, string>();
  for (const piece of pieces.slice(1)) {
    const eq = piece.indexOf('=');
    const name = (eq < 0 ? piece : piece.slice(0, eq)).trim().toLowerCase();
    if (!name) continue;
    const v = unquoteLenient(eq < 0 ? '' : piece.slice(eq + 1).trim());
    if (!params.has(name)) params.set(name, v);
  }
  return { type, params };
}

/**
 * The parts of a multipart body with that boundary (RFC 2046 §5.1.1): the
 * text before the first delimiter (preamble) and after the close delimiter
 * (epilogue) is ignored. Lines may end in CRLF or, leniently, LF. Returns
 * null when no delimiter is found or there are too many parts.
 */
export function splitMultipart(body: Buffer, boundary: string): BodyPart[] | null {
  if (boundary.length === 0 || boundary.length > 70) return null; // §5.1.1: 1–70 characters
  const dash = Buffer.from(`--${boundary}`);
  const lineDash = Buffer.from(`\n--${boundary}`);
  let at = body.subarray(0, dash.length).equals(dash) ? 0 : lineStart(body, lineDash, 0);
  if (at < 0) return null;
  const parts: BodyPart[] = [];
  for (;;) {
    let p = at + dash.length;
    // The close delimiter: "--boundary--".
    if (body[p] === 0x2d && body[p + 1] === 0x2d) return parts;
    // Transport padding (LWSP) up to the end of the delimiter line.
    while (p < body.length && body[p] !== LF) p++;
    const start = p + 1;
    const next = lineStart(body, lineDash, start - 1);
    // The CRLF (or LF) before the next delimiter belongs to it, not to the part (§5.1.1).
    // A body that ends without its close delimiter: the last part runs to the end.
    let end = body.length;
    if (next >= 0) {
      end = next - 1;
      if (end > start && body[end - 1] === CR) end--;
    }
    if (start <= body.length) parts.push(readPart(body.subarray(start, Math.max(start, end))));
    if (parts.length > MAX_PARTS) return null;
    if (next < 0) return parts;
    at = next;
  }
}

/** Index of the delimiter's "--" at the start of a line, at or after `from` (the LF before it is `from`..). */
function lineStart(body: Buffer, lineDash: Buffer, from: number): number {
  const i = body.indexOf(lineDash, Math.max(0, from));
  return i < 0 ? -1 : i + 1;
}

/** A part's headers up to the first empty line, then its content (RFC 2046 §5.1.1). */
function readPart(raw: Buffer): BodyPart {
  const headers = new Map<string, string>();
  // No header lines: the part starts with its empty line.
  let bodyStart = 0;
  let p = 0;
  let last: string | null = null;
  for (;;) {
    const eol = raw.indexOf(LF, p);
    const lineEnd = eol < 0 ? raw.length : eol;
    const line = raw.toString(
      'latin1',
      p,
      lineEnd > p && raw[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd,
    );
    if (line.length === 0) {
      bodyStart = eol < 0 ? raw.length : eol + 1;
      break;
    }
    if ((line[0] === ' ' || line[0] === '\t') && last !== null) {
      // A folded header line continues the previous one (RFC 5322 §2.2.3).
      headers.set(last, `${headers.get(last) ?? ''} ${line.trim()}`);
    } else {
      const colon = line.indexOf(':');
      if (colon > 0) {
        const name = line.slice(0, colon).trim().toLowerCase();
        last = name;
        if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
      }
    }
    if (eol < 0) {
      // Headers but no empty line: no content.
      bodyStart = raw.length;
      break;
    }
    p = eol + 1;
  }
  return { headers, body: raw.subarray(bodyStart) };
}

/**
 * Every leaf part of a body, nested multiparts flattened (multipart/mixed
 * may hold a multipart/alternative, RFC 5621 §3), each with its media type.
 * A body that is not multipart is its own single leaf.
 */
export function bodyLeaves(
  contentType: string | undefined,
  body: Buffer,
): { type: MediaType | null; disposition: MediaType | null; body: Buffer }[] {
  const out: { type: MediaType | null; disposition: MediaType | null; body: Buffer }[] = [];
  const walk = (
    ct: string | undefined,
    cd: string | undefined,
    content: Buffer,
    depth: number,
  ): void => {
    const type = ct === undefined ? null : parseMediaType(ct);
    const disposition = cd === undefined ? null : parseMediaType(cd);
    if (type && type.type.startsWith('multipart/')) {
      if (depth >= MAX_DEPTH) return;
      const parts = splitMultipart(content, type.params.get('boundary') ?? '');
      for (const part of parts ?? []) {
        if (out.length >= MAX_PARTS) return;
        // RFC 2046 §5.1: a part without Content-Type is text/plain.
        walk(
          part.headers.get('content-type') ?? 'text/plain',
          part.headers.get('content-disposition'),
          part.body,
          depth + 1,
        );
      }
      return;
    }
    out.push({ type, disposition, body: content });
  };
  walk(contentType, undefined, body, 0);
  return out;
}
