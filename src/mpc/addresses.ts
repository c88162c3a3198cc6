/** Member addresses as the domain uses them: parsed once per request, compared by match key. */
import {
  isAddressError,
  matchKey,
  normalizeAddress,
  type NormalizedAddress,
} from '../address/index.js';
import { MpcError } from './errors.js';

export type ParsedAddress = NormalizedAddress;

/** Normalises a request field; a bad one is a 400 naming the field. */
export function parseAddress(field: string, raw: string): ParsedAddress {
  const result = normalizeAddress(raw, field);
  if (isAddressError(result)) throw new MpcError('validation', result.error);
  return result;
}

/**
 * Match keys of stored member addresses, by the stored text. Normalising
 * is a pure function of that text, and a request compares its addresses
 * with every live member of every live call of the node (findActor):
 * normalising them afresh each time was 15 % of what a `call` request
 * allocated. Cleared whole when full — a miss only costs the normalising.
 */
const storedKeys = new Map<string, string | null>();
const STORED_KEYS_MAX = 8192;

function storedKey(stored: string): string | null {
  let key = storedKeys.get(stored);
  if (key === undefined) {
    const parsed = normalizeAddress(stored);
    key = isAddressError(parsed) ? null : matchKey(parsed);
    if (storedKeys.size >= STORED_KEYS_MAX) storedKeys.clear();
    storedKeys.set(stored, key);
  }
  return key;
}

/** Whether a stored member address is the same party as `address` (`+1415…` and `1415…` are). */
export function sameMember(stored: string, address: ParsedAddress): boolean {
  const key = storedKey(stored);
  return key !== null && key === matchKey(address);
}
