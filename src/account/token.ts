import { randomString } from './random.js';

/** 43 characters of 62 carry 256 random bits. */
export const AUTH_TOKEN_LENGTH = 43;
/**
 * Longest token verifyToken will hash. Anything longer is not one we
 * issued; refusing it early keeps a huge Basic-auth password from costing
 * a long key derivation.
 */
export const MAX_AUTH_TOKEN_LENGTH = 1024;

/**
 * Letters and digits only: URL-safe, needs no quoting in a shell, and
 * cannot start with `-` and be taken for a command-line option.
 */
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh AUTH_TOKEN (shown once to the operator; only its hash is stored). */
export function newAuthToken(): string {
  return randomString(ALNUM, AUTH_TOKEN_LENGTH);
}
