/**
 * Via header values (RFC 3261 §20.42, grammar §25.1):
 *
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 *   sent-by       = host [ COLON port ]
 *
 * SLASH, COLON and SEMI allow whitespace on both sides, so "SIP / 2.0 / UDP"
 * is legal (RFC 4475 §3.1.1.1).
 */
import type { Params, Via } from './types.js';
import { SipParseError } from './errors.js';
import {
  formatParams,
  isDigit,
  parseDecimal,
  parseHeaderParams,
  scanHost,
  scanToken,
  skipWs,
} from './syntax.js';

const WHAT = 'Via';

function fail(detail: string): never {
  throw new SipParseError(`Bad Via header: ${detail}`);
}

function expectSlash(s: string, pos: number, end: number): number {
  pos = skipWs(s, pos, end);
  if (pos >= end || s.charCodeAt(pos) !== 0x2f) fail('bad sent-protocol');
  return skipWs(s, pos + 1, end);
}

/** Parses one Via value (a single via-parm; split comma lists first). */
export function parseVia(value: string): Via {
  const s = value;
  const end = s.length;
  let pos = skipWs(s, 0, end);
  let p = scanToken(s, pos, end);
  if (p === pos) fail('missing protocol');
  const name = s.slice(pos, p);
  pos = expectSlash(s, p, end);
  p = scanToken(s, pos, end);
  if (p === pos) fail('missing protocol version');
  const version = s.slice(pos, p);
  // §20.42: this stack speaks SIP/2.0 only; anything else cannot be answered on (§8.1.3.3).
  if ((name !== 'SIP' && name.toUpperCase() !== 'SIP') || version !== '2.0') {
    fail('unsupported protocol');
  }
  pos = expectSlash(s, p, end);
  p = scanToken(s, pos, end);
  if (p === pos) fail('missing transport');
  let transport = s.slice(pos, p);
  for (let i = 0; i < transport.length; i++) {
    const c = transport.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) {
      transport = transport.toUpperCase();
      break;
    }
  }
  pos = skipWs(s, p, end);
  if (pos === p) fail('missing sent-by');
  const hostEnd = scanHost(s, pos, end, WHAT);
  const host = s.slice(pos, hostEnd);
  pos = skipWs(s, hostEnd, end);
  let port: number | null = null;
  if (pos < end && s.charCodeAt(pos) === 0x3a) {
    pos = skipWs(s, pos + 1, end);
    let q = pos;
    while (q < end && isDigit(s.charCodeAt(q))) q++;
    port = parseDecimal(s, pos, q, 65535);
    if (port < 0) fail('bad port');
    pos = q;
  }
  const params: Params = new Map();
  pos = parseHeaderParams(s, pos, end, params, WHAT);
  if (pos !== end) fail('unexpected characters');
  checkParams(params);
  return { protocol: 'SIP/2.0', transport, host, port, params };
}

/** §20.42 / RFC 3581 §3: the numeric Via parameters must be numbers in range. */
function checkParams(params: Params): void {
  if (params.size === 0) return;
  const ttl = params.get('ttl');
  if (ttl !== undefined && (ttl === null || parseDecimal(ttl, 0, ttl.length, 255) < 0)) {
    fail('bad ttl');
  }
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null && parseDecimal(rport, 0, rport.length, 65535) < 0) {
    fail('bad rport');
  }
  const branch = params.get('branch');
  if (branch === null) fail('empty branch');
}

/** Writes a Via value: "SIP/2.0/UDP host:port;branch=...;rport" with params in their order. */
export function formatVia(via: Via): string {
  let out = via.protocol + '/' + via.transport + ' ' + via.host;
  if (via.port !== null) out += ':' + via.port;
  return out + formatParams(via.params);
}
