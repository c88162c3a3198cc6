/**
 * HTTP Basic authentication (RFC 7617) of every /v1 request, as all the
 * Plivo SDKs send it. The account found is kept per request for the routes.
 */
import type { FastifyRequest } from 'fastify';
import type { AuthThrottle } from './auth-throttle.js';
import { HttpError, WWW_AUTHENTICATE } from './errors.js';
import type { ApiService } from './service.js';

export interface Credentials {
  authId: string;
  authToken: string;
}

/** Generous for a 20-character id and a long token, small enough to refuse junk unread. */
const MAX_AUTHORIZATION_LENGTH = 4096;

export function parseBasic(header: string | undefined): Credentials | undefined {
  if (header === undefined || header.length > MAX_AUTHORIZATION_LENGTH) return undefined;
  const m = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) return undefined;
  return { authId: decoded.slice(0, colon), authToken: decoded.slice(colon + 1) };
}

const accounts = new WeakMap<FastifyRequest, string>();

/** The authenticated account of a /v1 request (set by `authenticate`). */
export function accountOf(request: FastifyRequest): string {
  const authId = accounts.get(request);
  // Only reachable if a /v1 route were registered outside the authenticated context.
  if (authId === undefined) throw new Error('request reached a /v1 route unauthenticated');
  return authId;
}

/**
 * The challenge a 401 carries. A script in a browser page (the console: it
 * sends `X-Requested-With: XMLHttpRequest`) gets none: a Basic challenge
 * would make the browser open its own login prompt over the page's form.
 */
function challenge(request: FastifyRequest): Record<string, string> {
  return request.headers['x-requested-with'] === 'XMLHttpRequest'
    ? {}
    : { 'WWW-Authenticate': WWW_AUTHENTICATE };
}

/** `throttle`: pays for each full check of credentials not verified before (AuthThrottle). */
export async function authenticate(
  service: ApiService,
  request: FastifyRequest,
  throttle?: AuthThrottle,
): Promise<string> {
  const credentials = parseBasic(request.headers.authorization);
  if (credentials === undefined) {
    throw new HttpError(
      401,
      'authentication required: send HTTP Basic credentials AUTH_ID:AUTH_TOKEN',
      challenge(request),
    );
  }
  const admit = throttle ? () => throttle.admit(request.ip) : undefined;
  if (!(await service.authenticate(credentials.authId, credentials.authToken, admit))) {
    throw new HttpError(
      401,
      'wrong credentials: unknown AUTH_ID or wrong AUTH_TOKEN',
      challenge(request),
    );
  }
  accounts.set(request, credentials.authId);
  return credentials.authId;
}
