import { isAddressError, matchKey, normalizeAddress } from '../address/index.js';
import type { PhloDocument } from './types.js';

/*
 * The `incoming` trigger: which inbound calls start which PHLO. An entry
 * of `start.incoming` is a phone number or a SIP user name; an INVITE is
 * for it when the user part of its Request-URI (the "called user") is
 * that number or that user. Numbers compare by their digits, as member
 * addresses do (src/address matchKey: `14155550100` = `+1 415 555 0100`);
 * user names exactly (RFC 3261 §19.1.4: the user part is case-sensitive).
 */

/** A SIP user name as `start.incoming` takes it: a letter, then letters, digits, . _ ~ -. */
export const SIP_USER_NAME = /^[A-Za-z][A-Za-z0-9._~-]*$/;
export const MAX_SIP_USER_NAME_LENGTH = 64;
/** What a phone number starts with (as the address layer reads one). */
export const PHONE_START = /^[+0-9(]/;

/**
 * The key an entry of `start.incoming`, or a called user, is matched by:
 * `phone:<digits>` for a number (the address layer's matchKey), `user:<name>`
 * for a SIP user name; undefined when it is neither. A called user may come
 * percent-escaped and with parameters (`%2B14155550100;phone-context=…`):
 * the parameters are dropped and the escapes decoded first. Never throws.
 */
export function incomingKey(value: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  let text = value.trim();
  const semicolon = text.indexOf(';');
  if (semicolon >= 0) text = text.slice(0, semicolon);
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return undefined;
    }
  }
  if (text === '') return undefined;
  if (PHONE_START.test(text)) {
    const address = normalizeAddress(text);
    return !isAddressError(address) && address.kind === 'phone' ? matchKey(address) : undefined;
  }
  if (text.length <= MAX_SIP_USER_NAME_LENGTH && SIP_USER_NAME.test(text)) return `user:${text}`;
  return undefined;
}

/**
 * The keys (see incomingKey) of the numbers and users whose inbound calls
 * start `document`, in document order, no repeats; empty when it has no
 * `incoming` trigger. Two PHLOs of a server must not share a key: the
 * server compares these at create and replace.
 */
export function incomingKeys(document: PhloDocument): string[] {
  if (!document.start.triggers.includes('incoming')) return [];
  const keys: string[] = [];
  for (const entry of document.start.incoming ?? []) {
    const key = incomingKey(entry);
    if (key !== undefined && !keys.includes(key)) keys.push(key);
  }
  return keys;
}

/**
 * Whether an inbound call to `calledUser` (the user part of the INVITE's
 * Request-URI: `+14155550100`, `support`) starts `document`.
 */
export function incomingMatches(document: PhloDocument, calledUser: string): boolean {
  const key = incomingKey(calledUser);
  return key !== undefined && incomingKeys(document).includes(key);
}
