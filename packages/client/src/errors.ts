/**
 * Typed errors. Every error answer of the server is `{api_id, error}`
 * (DESIGN.md §1); each class carries that `apiId`, the HTTP status and the
 * server's message, so a caller can branch on the class and still log what
 * the server said. Errors without an answer (no connection, a timeout) are
 * separate classes, since they have no status or api_id.
 */

/** The base of every error this package throws. */
export class PartylineError extends Error {
  override name = 'PartylineError';
}

/** The server answered with an error status. */
export class ApiError extends PartylineError {
  override name = 'ApiError';
  constructor(
    /** The HTTP status. */
    readonly status: number,
    message: string,
    /** The server's `api_id` of the failed request (for its logs), or `undefined` if the body had none. */
    readonly apiId: string | undefined,
  ) {
    super(message);
  }
}

/** 401: no or wrong credentials. */
export class AuthenticationError extends ApiError {
  override name = 'AuthenticationError';
}

/** 400 bad input, 413 body too large, 415 unsupported content type. The message names the field. */
export class ValidationError extends ApiError {
  override name = 'ValidationError';
}

/** 404: an unknown PHLO, node, call or member (or another account's: the server never says which). */
export class NotFoundError extends ApiError {
  override name = 'NotFoundError';
}

/** 409: the action conflicts with the call's current state (already on hold, a transfer pending, …). */
export class ConflictError extends ApiError {
  override name = 'ConflictError';
}

/** 429: over the account's request rate or live-call cap. Not retried: the caller decides. */
export class RateLimitError extends ApiError {
  override name = 'RateLimitError';
  constructor(
    status: number,
    message: string,
    apiId: string | undefined,
    /** Seconds the server asked to wait (Retry-After), or `undefined` if it gave none. */
    readonly retryAfter: number | undefined,
  ) {
    super(status, message, apiId);
  }
}

/** 5xx. A 503 is retried first (see retry.ts); this is thrown once the retries are spent. */
export class ServerError extends ApiError {
  override name = 'ServerError';
}

/** No answer: the connection failed (refused, reset, DNS) after any retries. */
export class ConnectionError extends PartylineError {
  override name = 'ConnectionError';
}

/**
 * No answer within `timeoutMs`. For a POST the server may still have
 * applied it, which is why a timed-out POST is never retried.
 */
export class TimeoutError extends PartylineError {
  override name = 'TimeoutError';
}

/** The error for an answer with status `status` (not 2xx). */
export function apiError(
  status: number,
  message: string,
  apiId: string | undefined,
  retryAfter: number | undefined,
): ApiError {
  if (status === 401) return new AuthenticationError(status, message, apiId);
  if (status === 400 || status === 413 || status === 415)
    return new ValidationError(status, message, apiId);
  if (status === 404) return new NotFoundError(status, message, apiId);
  if (status === 409) return new ConflictError(status, message, apiId);
  if (status === 429) return new RateLimitError(status, message, apiId, retryAfter);
  if (status >= 500) return new ServerError(status, message, apiId);
  return new ApiError(status, message, apiId);
}
