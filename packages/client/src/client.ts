/**
 * The client: `new PhloClient(authId, authToken, { baseUrl })`, the shape of
 * Plivo's Node SDK (`new plivo.PhloClient(authId, authToken)`), so code
 * ports by changing the import and the base URL.
 */
import { Transport } from './http.js';
import { phloAccessor, type PhloAccessor } from './phlo.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry.js';

export interface PhloClientOptions {
  /**
   * The server, e.g. `http://127.0.0.1:8080` (`/v1` is added unless the
   * path already ends with it). Default: `PARTYLINE_BASE_URL`, else
   * `http://127.0.0.1:8080`.
   */
  baseUrl?: string;
  /** Per attempt, ms (default 10000). */
  timeoutMs?: number;
  /**
   * Retries after the first attempt (default 2), only for a connection that
   * failed before the request was sent and for 503; a number, or the full
   * back-off settings. A POST that may have been applied is never retried.
   */
  retries?: number | Partial<RetryOptions>;
  /** Another fetch (a proxy's, a test's); default globalThis.fetch. */
  fetch?: typeof fetch;
}

export class PhloClient {
  /** `phlo(phloId)` for a PHLO's methods; `phlo.get/create/replace/list/delete` for the account's PHLOs. */
  readonly phlo: PhloAccessor;
  /** The server's API root (ends in `/v1`). */
  readonly baseUrl: string;
  readonly authId: string;

  /**
   * Credentials from the arguments, else `PARTYLINE_AUTH_ID` /
   * `PARTYLINE_AUTH_TOKEN`, else `PLIVO_AUTH_ID` / `PLIVO_AUTH_TOKEN` (so a
   * Plivo deployment's environment works unchanged).
   */
  constructor(authId?: string, authToken?: string, options: PhloClientOptions = {}) {
    const env = environment();
    const id = authId || env.PARTYLINE_AUTH_ID || env.PLIVO_AUTH_ID;
    const token = authToken || env.PARTYLINE_AUTH_TOKEN || env.PLIVO_AUTH_TOKEN;
    if (!id || !token)
      throw new TypeError(
        'PhloClient needs credentials: pass authId and authToken, or set PARTYLINE_AUTH_ID and ' +
          'PARTYLINE_AUTH_TOKEN (or PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN)',
      );
    this.authId = id;
    this.baseUrl = apiRoot(options.baseUrl || env.PARTYLINE_BASE_URL || 'http://127.0.0.1:8080');
    const retries = options.retries ?? {};
    const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    const transport = new Transport({
      authId: id,
      authorization: `Basic ${base64(`${id}:${token}`)}`,
      baseUrl: this.baseUrl,
      timeoutMs: options.timeoutMs ?? 10_000,
      retry:
        typeof retries === 'number'
          ? { ...DEFAULT_RETRY, retries }
          : { ...DEFAULT_RETRY, ...retries },
      fetch: fetchImpl,
    });
    this.phlo = phloAccessor(transport);
  }
}

/** process.env where there is one (Node, Deno, bundlers' shims); nothing in a browser. */
function environment(): Record<string, string | undefined> {
  const holder = globalThis as { process?: { env?: Record<string, string | undefined> } };
  return holder.process?.env ?? {};
}

function apiRoot(baseUrl: string): string {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/v1') ? path : `${path}/v1`;
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

/** base64 of UTF-8 text (btoa alone takes only Latin-1). */
function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
