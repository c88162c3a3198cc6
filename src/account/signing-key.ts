import { createHmac } from 'node:crypto';

/**
 * The message the signing key is derived with: a fixed label, so the key
 * is useful for callback signatures only (HMAC as a PRF keyed with the
 * token, RFC 2104; the label plays the role of HKDF's `info`, RFC 5869 §3.2).
 */
export const CALLBACK_SIGNING_LABEL = 'partyline-callback-signing';

/**
 * The key event callbacks of an account are signed with, as the store
 * keeps it: base64 (standard, padded) of the 32 bytes
 * HMAC-SHA256(key = UTF-8 bytes of AUTH_TOKEN, message = "partyline-callback-signing").
 *
 * Why not the token: the store keeps only a scrypt hash of the token, so
 * the server cannot sign with the token itself after it was shown once.
 * The key is derived at account creation, while the token is at hand, and
 * stored instead. A receiver that knows its token derives the same key
 * (see callbacks/verifyCallbackSignature). The derivation is one-way and
 * the token carries 256 random bits, so a leaked key reveals nothing that
 * authenticates to the API; it does let its holder forge callbacks, so it
 * is as secret as the token for that purpose.
 */
export function callbackSigningKey(authToken: string): string {
  return createHmac('sha256', authToken).update(CALLBACK_SIGNING_LABEL).digest('base64');
}
