/**
 * One error shape for every failure: `{api_id, error}` as JSON
 * (DESIGN.md §1, plivo-python PR #87). Statuses the SDKs understand:
 * 400/401/404/405/409/413/415/429/500/503 (PLIVO-SDK-WIRE.md §3.7 — never 403).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError, type ServiceErrorKind } from './service.js';

/** An HTTP answer decided by the API layer itself (auth, rate limit, field checks). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const STATUS_OF_KIND: Readonly<Record<ServiceErrorKind, number>> = {
  validation: 400,
  'not-available': 400,
  'not-found': 404,
  conflict: 409,
  'rate-limited': 429,
  unavailable: 503,
};

export const WWW_AUTHENTICATE = 'Basic realm="partyline"';

export interface ErrorBody {
  api_id: string;
  error: string;
}

export function errorBody(apiId: string, message: string): ErrorBody {
  return { api_id: apiId, error: message };
}

interface Decided {
  status: number;
  message: string;
  headers: Readonly<Record<string, string>>;
  /** An unexpected failure: logged at error level with its stack. */
  unexpected: boolean;
}

function isServiceError(err: unknown): err is ServiceError {
  // instanceof first; the name/kind check covers a second copy of the module.
  if (err instanceof ServiceError) return true;
  const e = err as { name?: unknown; kind?: unknown } | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.name === 'ServiceError' &&
    typeof e.kind === 'string' &&
    Object.hasOwn(STATUS_OF_KIND, e.kind)
  );
}

function nonEmpty(message: string | undefined, fallback: string): string {
  return message !== undefined && message.trim() !== '' ? message : fallback;
}

/** Statuses a Fastify error may keep; others 4xx become 400 so the documented set holds. */
const KEPT_CLIENT_STATUSES = new Set([400, 404, 405, 413, 415, 429]);

export function decide(err: unknown, bodyLimitBytes: number): Decided {
  if (err instanceof HttpError) {
    return {
      status: err.statusCode,
      message: err.message,
      headers: err.headers,
      unexpected: false,
    };
  }
  if (isServiceError(err)) {
    const status = STATUS_OF_KIND[err.kind];
    const fallback = status === 404 ? 'not found' : `${err.kind}`;
    const headers: Record<string, string> =
      status === 429 || status === 503 ? { 'Retry-After': '1' } : {};
    return { status, message: nonEmpty(err.message, fallback), headers, unexpected: false };
  }
  const fe = err as Partial<FastifyError> | null;
  if (typeof fe === 'object' && fe !== null) {
    if (Array.isArray(fe.validation)) {
      return {
        status: 400,
        message: nonEmpty(fe.message, 'invalid request'),
        headers: {},
        unexpected: false,
      };
    }
    switch (fe.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return {
          status: 413,
          message: `request body too large: the limit is ${bodyLimitBytes} bytes`,
          headers: {},
          unexpected: false,
        };
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return {
          status: 415,
          message:
            'unsupported Content-Type: send application/json (or application/x-www-form-urlencoded; ' +
            'PHLO documents may also be application/yaml)',
          headers: {},
          unexpected: false,
        };
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return {
          status: 400,
          message: 'the request body length does not match its Content-Length header',
          headers: {},
          unexpected: false,
        };
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return { status: 400, message: 'malformed JSON body', headers: {}, unexpected: false };
    }
    const status = fe.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return {
        status: KEPT_CLIENT_STATUSES.has(status) ? status : 400,
        message: nonEmpty(fe.message, 'bad request'),
        headers: {},
        unexpected: false,
      };
    }
  }
  return { status: 500, message: 'internal error', headers: {}, unexpected: true };
}

/** Fastify error handler: every failure leaves as `{api_id, error}` JSON. */
export function errorHandler(bodyLimitBytes: number) {
  return function handle(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const d = decide(err, bodyLimitBytes);
    if (d.unexpected) {
      request.log.error({ err }, 'unexpected error');
    } else if (d.status >= 500) {
      request.log.warn({ status: d.status, error: d.message }, 'request refused');
    } else {
      request.log.info({ status: d.status, error: d.message }, 'request rejected');
    }
    void reply
      .code(d.status)
      .headers(d.headers)
      .type('application/json; charset=utf-8')
      .send(errorBody(request.id, d.message));
  };
}
