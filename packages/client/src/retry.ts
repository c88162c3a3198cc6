/**
 * When to try a request again, and how long to wait. Only two failures are
 * retried, both certain not to have been applied:
 * - a connection that failed before any byte of the request could reach the
 *   server (refused, DNS) — for a GET, PUT or DELETE any connection failure
 *   or timeout, since repeating those is harmless;
 * - a 503, which the server answers before doing anything ("a rejected
 *   request writes nothing", DESIGN.md §1).
 * A POST that timed out or whose connection broke after it was sent is NOT
 * retried: the call may already have been dialled.
 */

export interface RetryOptions {
  /** Retries after the first attempt (default 2; 0 disables). */
  retries: number;
  /** First back-off, ms (default 200); doubles each retry. */
  baseDelayMs: number;
  /** Cap of one wait, ms, Retry-After included (default 5000). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 2, baseDelayMs: 200, maxDelayMs: 5_000 };

/**
 * Error codes (from undici's `cause.code`) that mean the connection never
 * opened, so nothing was sent.
 */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Whether a failed fetch (no answer) may be repeated. */
export function mayRetryFailure(method: string, error: unknown, timedOut: boolean): boolean {
  if (method !== 'POST') return true;
  if (timedOut) return false;
  return NOT_SENT.has(causeCode(error) ?? '');
}

function causeCode(error: unknown): string | undefined {
  // fetch rejects with a TypeError whose `cause` is the system error.
  const cause = error instanceof Error ? (error as Error & { cause?: unknown }).cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause) {
    const code = (cause as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * The wait before retry number `retry` (1, 2, …): base·2^(retry-1), at most
 * maxDelayMs, with "full jitter" in the upper half (so many clients that
 * failed together do not come back together); a Retry-After wins when
 * given, still capped.
 */
export function retryDelayMs(
  retry: number,
  options: RetryOptions,
  retryAfterSeconds: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterSeconds !== undefined)
    return Math.min(options.maxDelayMs, Math.max(0, retryAfterSeconds * 1000));
  const exp = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/** Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined if absent or unreadable. */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
