// The whole public surface of SIP Digest authentication (RFC 3261 §22; RFC 2617, RFC 7616, RFC 8760).
export type { DigestAlgorithm, DigestChallenge, DigestCredentials } from './types.js';
export { parseChallenge, formatChallenge } from './challenge.js';
export { parseCredentials, formatCredentials } from './credentials.js';
export { computeDigestResponse, type DigestInput } from './digest.js';
export { DigestClient, type DigestClientCredentials, type DigestClientOptions } from './client.js';
export {
  DigestServer,
  type DigestServerOptions,
  type DigestFailure,
  type DigestVerification,
} from './server.js';
