import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { callbackSigningKey } from '../account/index.js';

/** The request headers of a callback (README.md). */
export const CALLBACK_HEADERS = {
  signature: 'X-Partyline-Signature',
  nonce: 'X-Partyline-Nonce',
  timestamp: 'X-Partyline-Timestamp',
  eventId: 'X-Partyline-Event-Id',
} as const;

/** What a signature covers. */
export interface CallbackSignatureInput {
  /** The callback URL exactly as the PHLO names it (what the request was sent to). */
  url: string;
  /** 32 lowercase hex digits, fresh for every attempt. */
  nonce: string;
  /** Unix time in whole seconds, decimal, when the attempt was made. */
  timestamp: string;
  /** The raw request body, byte for byte as received (not re-serialised JSON). */
  body: string | Uint8Array;
}

export interface SignedCallback extends CallbackSignatureInput {
  /** The X-Partyline-Signature header: base64 of the HMAC. */
  signature: string;
}

export interface VerifyCallbackOptions {
  /** How far the timestamp may be from now, either way (replay window). Default 300. */
  toleranceSeconds?: number;
  /** Now, in milliseconds since the epoch. Default Date.now. */
  now?: () => number;
}

const NONCE = /^[0-9a-f]{32}$/;
const TIMESTAMP = /^[0-9]{1,12}$/;
const DEFAULT_TOLERANCE_SECONDS = 300;

/** A fresh nonce: 16 random bytes as 32 lowercase hex digits. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * base64(HMAC-SHA256(k, url ‖ nonce ‖ timestamp ‖ body)), where ‖ is plain
 * concatenation of the UTF-8 bytes (no separators; the body's own bytes
 * last) and k is the account's signing key (32 bytes; `signingKey` is its
 * base64 as the store keeps it). Without separators the parts are still
 * unambiguous because the verifier fixes the nonce at 32 hex digits, the
 * timestamp is digits only, and a JSON object body starts with `{`.
 */
export function signCallback(input: CallbackSignatureInput, signingKey: string): string {
  const mac = createHmac('sha256', Buffer.from(signingKey, 'base64'));
  mac.update(input.url, 'utf8');
  mac.update(input.nonce, 'utf8');
  mac.update(input.timestamp, 'utf8');
  mac.update(typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body);
  return mac.digest('base64');
}

/**
 * For receivers: whether a callback was signed by Partyline for the
 * account whose AUTH_TOKEN is `authToken`, recently. Derives the signing
 * key from the token (account/callbackSigningKey), recomputes the HMAC and
 * compares in constant time; refuses a nonce or timestamp of the wrong
 * shape and a timestamp more than `toleranceSeconds` from now. Never
 * throws: anything malformed is false.
 *
 * A replay inside the window carries the same event id (the body's
 * `event_id`, which the signature covers): de-duplicate by it, as
 * at-least-once delivery requires anyway.
 */
export function verifyCallbackSignature(
  callback: SignedCallback,
  authToken: string,
  options: VerifyCallbackOptions = {},
): boolean {
  try {
    const { url, nonce, timestamp, body, signature } = callback;
    if (typeof url !== 'string' || typeof signature !== 'string') return false;
    if (typeof authToken !== 'string' || authToken === '') return false;
    if (typeof body !== 'string' && !(body instanceof Uint8Array)) return false;
    if (typeof nonce !== 'string' || !NONCE.test(nonce)) return false;
    if (typeof timestamp !== 'string' || !TIMESTAMP.test(timestamp)) return false;
    const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    const nowSeconds = (options.now ?? Date.now)() / 1000;
    if (!(Math.abs(nowSeconds - Number(timestamp)) <= tolerance)) return false;
    const expected = Buffer.from(
      signCallback({ url, nonce, timestamp, body }, callbackSigningKey(authToken)),
      'base64',
    );
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  } catch {
    return false;
  }
}
