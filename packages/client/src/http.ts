/**
 * One request to the API: Basic auth, JSON in and out, a timeout per
 * attempt (AbortSignal.timeout), the retries of retry.ts, and error answers
 * turned into the typed errors of errors.ts. Uses only `fetch`, so it runs
 * in Node 20 and browsers alike.
 */
import { ApiError, ConnectionError, TimeoutError, apiError } from './errors.js';
import {
  mayRetryFailure,
  parseRetryAfter,
  retryDelayMs,
  sleep,
  type RetryOptions,
} from './retry.js';
import type { Json } from './wire.js';

export interface TransportOptions {
  authId: string;
  /** Ends in `/v1`, no trailing slash. */
  baseUrl: string;
  authorization: string;
  timeoutMs: number;
  retry: RetryOptions;
  fetch: typeof fetch;
}

export interface RequestOptions {
  /** A raw body with its content type (YAML documents); otherwise `body` is sent as JSON. */
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
}

export class Transport {
  constructor(private readonly options: TransportOptions) {}

  /** The account in run paths (`/v1/account/{auth_id}/phlo/…`). */
  get authId(): string {
    return this.options.authId;
  }

  /** The JSON object of a 2xx answer; throws a PartylineError otherwise. */
  async request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    opts: RequestOptions = {},
  ): Promise<Json> {
    const { retry } = this.options;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(method, path, body, opts);
      const again = attempt < retry.retries;
      if (outcome.kind === 'answer') {
        const { response } = outcome;
        if (response.status === 503 && again) {
          await response.body?.cancel();
          const wait = parseRetryAfter(response.headers.get('retry-after'));
          await sleep(retryDelayMs(attempt + 1, retry, wait));
          continue;
        }
        return readAnswer(response);
      }
      if (again && mayRetryFailure(method, outcome.error, outcome.timedOut)) {
        await sleep(retryDelayMs(attempt + 1, retry, undefined));
        continue;
      }
      throw outcome.timedOut
        ? new TimeoutError(
            `${method} ${path}: no answer within ${this.options.timeoutMs} ms` +
              (method === 'POST' ? ' (not retried: the server may have applied it)' : ''),
            { cause: outcome.error },
          )
        : new ConnectionError(`${method} ${path}: ${describe(outcome.error)}`, {
            cause: outcome.error,
          });
    }
  }

  private async attempt(
    method: string,
    path: string,
    body: unknown,
    opts: RequestOptions,
  ): Promise<
    { kind: 'answer'; response: Response } | { kind: 'failed'; error: unknown; timedOut: boolean }
  > {
    const headers: Record<string, string> = {
      authorization: this.options.authorization,
      accept: 'application/json',
    };
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      payload = typeof body === 'string' && opts.contentType ? body : JSON.stringify(body);
    }
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const response = await this.options.fetch(this.url(path, opts.query), {
        method,
        headers,
        body: payload,
        signal,
      });
      return { kind: 'answer', response };
    } catch (error) {
      return { kind: 'failed', error, timedOut: signal.aborted };
    }
  }

  private url(path: string, query: RequestOptions['query']): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.options.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }
}

/** A 2xx answer's JSON object, or the typed error of any other. */
async function readAnswer(response: Response): Promise<Json> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const object = typeof json === 'object' && json !== null && !Array.isArray(json);
  if (response.ok) {
    if (!object)
      throw new ApiError(response.status, `not a JSON object: ${text.slice(0, 200)}`, undefined);
    return json as Json;
  }
  const fields = object ? (json as Json) : {};
  const message =
    typeof fields.error === 'string' && fields.error !== ''
      ? fields.error
      : `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  const apiId = typeof fields.api_id === 'string' ? fields.api_id : undefined;
  throw apiError(
    response.status,
    message,
    apiId,
    parseRetryAfter(response.headers.get('retry-after')),
  );
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
