/**
 * Accounts (DESIGN.md §2): AUTH_IDs in the shape Plivo's SDKs demand,
 * random AUTH_TOKENs, and their scrypt hashes, which are all the store
 * keeps. Verification is constant-time and never throws; TokenVerifier
 * remembers good pairs so the API does not pay a scrypt per request.
 * callbackSigningKey derives, from a token, the key its account's event
 * callbacks are signed with (stored beside the hash, never the token).
 */
export { AUTH_ID_LENGTH, isValidAuthId, newAuthId } from './auth-id.js';
export { AUTH_TOKEN_LENGTH, MAX_AUTH_TOKEN_LENGTH, newAuthToken } from './token.js';
export { SCRYPT_PARAMS, hashToken, verifyToken } from './scrypt-hash.js';
export { TokenVerifier, type TokenVerifierOptions } from './token-verifier.js';
export { CALLBACK_SIGNING_LABEL, callbackSigningKey } from './signing-key.js';
