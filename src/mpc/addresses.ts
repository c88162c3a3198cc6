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

/** Whether a stored member address is the same party as `address` (`+1415…` and `1415…` are). */
export function sameMember(stored: string, address: ParsedAddress): boolean {
  const parsed = normalizeAddress(stored);
  return !isAddressError(parsed) && matchKey(parsed) === matchKey(address);
}
