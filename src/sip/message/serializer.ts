/**
 * Writes a message to wire form (RFC 3261 §7): start line, header lines as
 * held (names as written, order kept), a Content-Length equal to the real
 * body length (§20.14: fixed in place if present, appended otherwise, so a
 * modified body can never be mis-framed), an empty line and the body.
 */
import type { SipMessage } from './message.js';
import { formatUri } from './uri.js';

/**
 * CR or LF inside a value would start a new header line (header injection
 * from values built from user input); fold them to SP as §7.3.1 unfolding
 * would have.
 */
function oneLine(v: string): string {
  if (v.indexOf('\n') < 0 && v.indexOf('\r') < 0) return v;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    out += c === 0x0a || c === 0x0d ? ' ' : v[i];
  }
  return out;
}

export function serializeMessage(m: SipMessage): Buffer {
  let head =
    m.kind === 'request'
      ? m.method + ' ' + oneLine(formatUri(m.uri)) + ' ' + m.version + '\r\n'
      : m.version + ' ' + m.status + ' ' + oneLine(m.reason) + '\r\n';
  const bodyLength = m.body.length;
  let lengthWritten = false;
  for (const e of m.headers.entries) {
    if (e.key === 'content-length') {
      if (lengthWritten) continue; // a repeat would be ambiguous (§20.14)
      lengthWritten = true;
      head += e.name + ': ' + bodyLength + '\r\n';
    } else {
      head += e.name + ': ' + oneLine(e.value) + '\r\n';
    }
  }
  if (!lengthWritten) head += 'Content-Length: ' + bodyLength + '\r\n';
  head += '\r\n';
  if (bodyLength === 0) return Buffer.from(head, 'utf8');
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLength + bodyLength);
  out.write(head, 0, 'utf8');
  m.body.copy(out, headLength);
  return out;
}
