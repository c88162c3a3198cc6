import type { AddressError, PhoneAddress } from './types.js';

/** E.164 allows at most 15 digits; fewer than 3 is no number anyone can dial. */
export const MIN_PHONE_DIGITS = 3;
export const MAX_PHONE_DIGITS = 15;

/** Written between digit groups by people and address books; carries no meaning. */
const SEPARATOR = /[ \-.()]/;

/**
 * `+1 (415) 555-0100` → `+14155550100`. `shown` is the quoted raw value
 * (with its field prefix) that every message starts with.
 */
export function parsePhone(text: string, shown: string): PhoneAddress | AddressError {
  let digits = '';
  let plus = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch >= '0' && ch <= '9') digits += ch;
    else if (ch === '+') {
      if (i !== 0) {
        return { error: `${shown} is not a valid phone number: '+' is only allowed at the start` };
      }
      plus = true;
    } else if (SEPARATOR.test(ch)) continue;
    else if (/[A-Za-z]/.test(ch)) {
      return {
        error:
          `${shown} is not a valid phone number: it contains letters ` +
          '(give the digits, e.g. +14155550100, or a SIP address, sip:user@host)',
      };
    } else {
      return {
        error:
          `${shown} is not a valid phone number: '${ch}' is not allowed ` +
          '(digits, an optional leading +, and spaces, dashes, dots or parentheses)',
      };
    }
  }
  if (digits.length < MIN_PHONE_DIGITS || digits.length > MAX_PHONE_DIGITS) {
    return {
      error:
        `${shown} is not a valid phone number: it has ${digits.length} digit` +
        `${digits.length === 1 ? '' : 's'}; a number has ${MIN_PHONE_DIGITS} to ${MAX_PHONE_DIGITS} (E.164)`,
    };
  }
  const address = (plus ? '+' : '') + digits;
  return { kind: 'phone', address, dial: address };
}
