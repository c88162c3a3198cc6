/** A phone number: digits with an optional leading `+`, as given. */
export interface PhoneAddress {
  kind: 'phone';
  /** `+14155550100` or `14155550100`: separators removed, the `+` kept when it was given. */
  address: string;
  /** What to dial (through the trunk): the same as `address`. */
  dial: string;
}

/** A SIP endpoint. */
export interface SipAddress {
  kind: 'sip';
  /** The identity: `sip:user@host[:port]`, scheme and host lowercased, no params or headers. */
  address: string;
  /** What to dial: `address` plus its URI parameters (`;transport=tcp`), no headers. */
  dial: string;
}

export type NormalizedAddress = PhoneAddress | SipAddress;

/** Why a raw string is not an address; the message names the field and says what to give. */
export interface AddressError {
  error: string;
}
