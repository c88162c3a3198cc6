import { parsePhone } from './phone.js';
import { quote } from './quote.js';
import { parseSip } from './sip-uri.js';
import type { AddressError, NormalizedAddress } from './types.js';

/** Longer is a mistake or an attack, not an address (RFC 3261 sets no limit; we do). */
export const MAX_ADDRESS_LENGTH = 256;

const EXPECTED = 'a phone number (+14155550100) or a SIP address (sip:user@host)';
/** C0, DEL and C1 controls: never part of an address, and dangerous in logs. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** RFC 3986 §3.1 scheme, followed by its colon. */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Turns what a client sent (`to`, `trigger_source`, a member path segment,
 * a rendered PHLO template) into a member address, or says why it is not
 * one. `field` prefixes the message (`to: 'abc' is neither …`).
 *
 * - Phone: optional leading `+`, 3..15 digits; spaces, dashes, dots and
 *   parentheses are dropped. `+1 (415) 555-0100` → `+14155550100`. The `+`
 *   is kept in `address` and `dial` as given.
 * - SIP: `sip:user@host[:port][;params][?headers]`, or the same without
 *   `sip:`. Scheme and host lowercased, user kept as is (case-sensitive),
 *   port kept. `address` drops params and headers; `dial` keeps the params.
 * - Rejected: empty, longer than MAX_ADDRESS_LENGTH, control characters,
 *   `sips:` and `tel:` and other schemes, whitespace in a SIP address,
 *   letters in a number.
 *
 * Outer whitespace is ignored. Never throws.
 */
export function normalizeAddress(raw: string, field?: string): NormalizedAddress | AddressError {
  const prefix = field ? `${field}: ` : '';
  if (typeof raw !== 'string') {
    return { error: `${prefix}must be a string: ${EXPECTED}` };
  }
  if (CONTROL.test(raw)) {
    return { error: `${prefix}${quote(raw)} contains control characters; give ${EXPECTED}` };
  }
  const text = raw.trim();
  if (text === '') return { error: `${prefix}is empty; give ${EXPECTED}` };
  if (text.length > MAX_ADDRESS_LENGTH) {
    return {
      error: `${prefix}${quote(text)} is too long (${text.length} characters; at most ${MAX_ADDRESS_LENGTH})`,
    };
  }
  const shown = prefix + quote(text);

  const scheme = SCHEME.exec(text);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    const rest = text.slice(scheme[0].length);
    if (name === 'sip') return parseSip(rest, shown);
    if (name === 'sips') {
      return { error: `${shown}: sips: (SIP over TLS) is not supported; use a sip: address` };
    }
    if (name === 'tel') {
      return {
        error: `${shown}: tel: URIs are not accepted; give the number itself (+14155550100)`,
      };
    }
    // `alice:secret@host`: a user with a password, not a scheme.
    if (!text.includes('@')) {
      return { error: `${shown}: the scheme '${name}:' is not supported; give ${EXPECTED}` };
    }
  }
  if (text.includes('@')) return parseSip(text, shown);
  if (/^[+0-9(]/.test(text)) return parsePhone(text, shown);
  return { error: `${shown} is neither a phone number nor a SIP address (sip:user@host)` };
}

/** True for the error branch of normalizeAddress. */
export function isAddressError(result: NormalizedAddress | AddressError): result is AddressError {
  return 'error' in result;
}

/**
 * The key two addresses are matched by (a member's stored address against
 * a `trigger_source`, `to` or member path). Phone numbers compare by their
 * digits only, so `14155550100` (as Plivo's examples write it) and
 * `+14155550100` (as clients send it) are the same member; SIP addresses by
 * their normalised identity (`address`: params and headers ignored). A
 * phone number never equals a SIP address, even `sip:+14155550100@trunk`.
 */
export function matchKey(address: NormalizedAddress): string {
  return address.kind === 'phone' ? `phone:${address.address.replace('+', '')}` : address.address;
}

/** Whether two addresses (raw or normalised) name the same member; false if either is invalid. */
export function sameAddress(a: string | NormalizedAddress, b: string | NormalizedAddress): boolean {
  const na = typeof a === 'string' ? normalizeAddress(a) : a;
  const nb = typeof b === 'string' ? normalizeAddress(b) : b;
  if (isAddressError(na) || isAddressError(nb)) return false;
  return matchKey(na) === matchKey(nb);
}
