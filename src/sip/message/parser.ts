/**
 * Parses one SIP message from a datagram or a framed stream message
 * (RFC 3261 §7, §18.3). Never throws: malformed input becomes
 * `{ ok: false, error }`, and when the start line was a request line and the
 * header lines could be split, `request` carries what a UAS needs to answer
 * 400 (§8.2, §21.4.1: Via, From, To, Call-ID and CSeq are copied from it).
 */
import { Headers } from './headers.js';
import { SipRequest, SipResponse, type SipMessage } from './message.js';
import { SipParseError } from './errors.js';
import { frame, frameByLines } from './framing.js';
import { splitHead } from './header-lines.js';
import { checkRequestLine, splitStartLine } from './start-line.js';
import { parseUri } from './uri.js';
import { validateHeaders } from './validate.js';
import { isSipUri, type Uri } from './types.js';

export type ParseResult =
  | { ok: true; message: SipMessage }
  | { ok: false; error: SipParseError; request?: { method: string; headers: Headers } };

/** A request whose start line and header lines were split, kept for the 400 answer. */
interface PartialRequest {
  method: string;
  headers: Headers;
}

export function parseMessage(data: Buffer | string): ParseResult {
  const partial: { request?: PartialRequest } = {};
  try {
    return { ok: true, message: parse(data, partial) };
  } catch (e) {
    // Anything other than a SipParseError is a bug in a parser below; it
    // still must not escape (bad input never crashes the process).
    const error =
      e instanceof SipParseError ? e : new SipParseError('Malformed message', { cause: e });
    return partial.request ? { ok: false, error, request: partial.request } : { ok: false, error };
  }
}

function parse(data: Buffer | string, partial: { request?: PartialRequest }): SipMessage {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let f = frame(buf);
  const head = buf.toString('utf8', f.start, f.headEnd);
  const { startLine, headers, endedEarly, error } = splitHead(head);
  // splitHead stopped at the real empty line; find its byte offset for the body.
  if (endedEarly) f = frameByLines(buf, f.start);
  const sl = splitStartLine(startLine);
  let m: SipMessage;
  if (sl.kind === 'request') {
    partial.request = { method: sl.method, headers };
    if (error) throw error;
    checkRequestLine(sl);
    let uri: Uri;
    try {
      uri = parseUri(sl.uri);
    } catch (e) {
      throw new SipParseError(`Bad Request-URI${e instanceof Error ? detail(e.message) : ''}`);
    }
    // §19.1.1 Table 1: URI headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
    if (isSipUri(uri) && uri.headers.size > 0) {
      throw new SipParseError('Bad Request-URI: headers not allowed');
    }
    m = new SipRequest(sl.method, uri, headers);
  } else {
    if (error) throw error;
    m = new SipResponse(sl.status, sl.reason, headers);
  }
  const contentLength = validateHeaders(m);
  const available = buf.length - f.bodyStart;
  let bodyLength = available;
  if (contentLength >= 0) {
    // §18.3: a datagram body shorter than Content-Length is an error; bytes
    // past it are discarded.
    if (contentLength > available) throw new SipParseError('Content-Length larger than body');
    bodyLength = contentLength;
  }
  // Copy: the body must not alias a transport's receive buffer that may be reused.
  if (bodyLength > 0) {
    const body = Buffer.allocUnsafe(bodyLength);
    buf.copy(body, 0, f.bodyStart, f.bodyStart + bodyLength);
    m.body = body;
  }
  return m;
}

/** ": <detail>" from a URI parser message ("Bad URI: missing scheme" → ": missing scheme"). */
function detail(message: string): string {
  const colon = message.indexOf(': ');
  return colon >= 0 ? message.slice(colon) : '';
}
