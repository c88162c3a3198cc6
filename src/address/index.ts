/**
 * Member addresses: phone numbers and SIP addresses, normalised so the
 * `trigger_source`, `to` and member path of a request can be matched
 * against the live members of a call (DESIGN.md §2). Pure functions, no I/O.
 */
export type { AddressError, NormalizedAddress, PhoneAddress, SipAddress } from './types.js';
export {
  MAX_ADDRESS_LENGTH,
  isAddressError,
  matchKey,
  normalizeAddress,
  sameAddress,
} from './normalize.js';
export { MAX_PHONE_DIGITS, MIN_PHONE_DIGITS } from './phone.js';
