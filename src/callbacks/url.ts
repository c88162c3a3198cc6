/** Longer than any receiver needs; refused rather than sent. */
export const MAX_CALLBACK_URL_LENGTH = 2048;

/**
 * The URL a callback may be sent to, or why not: an absolute `http:` or
 * `https:` URL with a host, at most MAX_CALLBACK_URL_LENGTH characters.
 * PHLO validation can use it to refuse a bad event_callback_url up front;
 * the dispatcher checks again and gives up on a delivery that fails it.
 */
export function parseCallbackUrl(url: unknown): URL | string {
  if (typeof url !== 'string' || url === '') return 'the callback URL is empty';
  if (url.length > MAX_CALLBACK_URL_LENGTH) {
    return `the callback URL is longer than ${MAX_CALLBACK_URL_LENGTH} characters`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `the callback URL ${JSON.stringify(url)} is not an absolute URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `the callback URL ${JSON.stringify(url)} is not http(s) (only http: and https: are sent)`;
  }
  if (parsed.hostname === '') return `the callback URL ${JSON.stringify(url)} has no host`;
  return parsed;
}

/** Why `url` cannot be a callback URL, or null when it can. */
export function callbackUrlProblem(url: unknown): string | null {
  const parsed = parseCallbackUrl(url);
  return typeof parsed === 'string' ? parsed : null;
}
