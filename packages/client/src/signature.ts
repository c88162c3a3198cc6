/**
 * Checking a callback's signature, for webhook receivers, written from the
 * scheme in the server's src/callbacks/README.md:
 *
 *   k = HMAC-SHA256(key = AUTH_TOKEN, "partyline-callback-signing")
 *   X-Partyline-Signature = base64(HMAC-SHA256(k, url ‖ nonce ‖ timestamp ‖ body))
 *
 * With Web Crypto (`globalThis.crypto.subtle`), so the same code runs in
 * Node 20, browsers, Deno and workers; that API is asynchronous, hence the
 * Promise. `subtle.verify` compares in constant time.
 */

/** The headers a callback carries (lowercase, as Node's `req.headers` has them). */
export const CALLBACK_HEADERS = {
  signature: 'x-partyline-signature',
  nonce: 'x-partyline-nonce',
  timestamp: 'x-partyline-timestamp',
  eventId: 'x-partyline-event-id',
} as const;

export interface VerifyCallbackOptions {
  /** How far the timestamp may be from now, either way, seconds (the replay window). Default 300. */
  toleranceSeconds?: number;
  /** Now, ms since the epoch. Default Date.now. */
  now?: () => number;
}

const SIGNING_LABEL = 'partyline-callback-signing';
// The parts are concatenated without separators; these shapes keep that
// unambiguous (fixed-length nonce, digits-only timestamp), as the server insists.
const NONCE = /^[0-9a-f]{32}$/;
const TIMESTAMP = /^[0-9]{1,12}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Whether a callback was signed by Partyline for the account whose token is
 * `authToken`, within `toleranceSeconds` of now. `url` is your
 * `event_callback_url` exactly as the PHLO names it (not one rebuilt from
 * the Host header); `body` the raw bytes as received. Never throws:
 * anything malformed is `false`.
 *
 * A replay inside the window has an `event_id` you have already seen:
 * de-duplicate by the body's `event_id` (at-least-once delivery needs that
 * anyway) and replays are dropped too.
 */
export async function verifyCallbackSignature(
  url: string,
  nonce: string,
  timestamp: string,
  body: string | Uint8Array | ArrayBuffer,
  signature: string,
  authToken: string,
  options: VerifyCallbackOptions = {},
): Promise<boolean> {
  try {
    if (typeof url !== 'string' || typeof authToken !== 'string' || authToken === '') return false;
    if (typeof nonce !== 'string' || !NONCE.test(nonce)) return false;
    if (typeof timestamp !== 'string' || !TIMESTAMP.test(timestamp)) return false;
    if (typeof signature !== 'string' || !BASE64.test(signature)) return false;
    const tolerance = options.toleranceSeconds ?? 300;
    const nowSeconds = (options.now ?? Date.now)() / 1000;
    if (!(Math.abs(nowSeconds - Number(timestamp)) <= tolerance)) return false;

    const utf8 = new TextEncoder();
    const bodyBytes =
      typeof body === 'string'
        ? utf8.encode(body)
        : body instanceof Uint8Array
          ? body
          : new Uint8Array(body);
    const given = fromBase64(signature);
    if (given.length !== 32) return false;
    const k = await hmac(utf8.encode(authToken), utf8.encode(SIGNING_LABEL));
    const key = await hmacKey(k, 'verify');
    const message = concat(utf8.encode(url + nonce + timestamp), bodyBytes);
    return await subtle().verify('HMAC', key, given, message);
  } catch {
    return false;
  }
}

// Return types left to inference: the DOM library names them SubtleCrypto and
// CryptoKey, @types/node only inside its webcrypto namespace, and this file
// compiles under both (the package build and the repo's typecheck).
function subtle() {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new Error('Web Crypto (crypto.subtle) is not available');
  return s;
}

function hmacKey(raw: Uint8Array<ArrayBuffer>, use: 'sign' | 'verify') {
  return subtle().importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [use]);
}

async function hmac(
  key: Uint8Array<ArrayBuffer>,
  message: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await subtle().sign('HMAC', await hmacKey(key, 'sign'), message));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Standard base64 (atob exists in Node 16+ and every browser); throws on bad input. */
function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
