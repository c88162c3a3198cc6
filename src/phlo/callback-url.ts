import { CONTROL_CHARS, describeValue } from './describe.js';
import type { TemplatePart } from './template.js';
import { MAX_CALLBACK_URL_LENGTH } from './types.js';

/*
 * `event_callback_url`: where a call's events are posted, signed with the
 * account's auth token (DESIGN.md §2). An http(s) URL with a host; never
 * credentials (`user:password@`): they would be stored, shown back by the
 * API and logged, and the signature already proves who sent the callback.
 */

const HTTP = /^https?:\/\//i;
const EXAMPLE = 'e.g. https://hooks.example.com/partyline';

/** Why `value` is not a callback URL, or undefined when it is one. Never echoes credentials. */
export function checkCallbackUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return `must be an http(s) URL (${EXAMPLE}); got ${describeValue(value)}`;
  }
  if (value.trim() === '') return `is empty (expected an http(s) URL, ${EXAMPLE})`;
  if (value.length > MAX_CALLBACK_URL_LENGTH) {
    return `is too long (at most ${MAX_CALLBACK_URL_LENGTH} characters)`;
  }
  if (CONTROL_CHARS.test(value)) return 'contains control characters';
  if (/\s/.test(value)) return 'contains spaces (percent-encode them, e.g. %20)';
  if (!HTTP.test(value)) {
    return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)
      ? `${describeValue(schemeOf(value))}: only http and https URLs are supported`
      : `${describeValue(value)} is not an http(s) URL (${EXAMPLE})`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${describeValue(value.replace(/\/\/[^/?#]*@/, '//…@'))} is not a valid http(s) URL`;
  }
  if (url.hostname === '') return `${describeValue(value)} has no host`;
  if (url.username !== '' || url.password !== '') return credentials();
  return undefined;
}

/**
 * A templated callback URL, as far as it can be judged before a run fills
 * it in: its literal text has no spaces or control characters, and when
 * it starts with literal text that text starts with http:// or https://
 * and carries no credentials. (It may also be one placeholder that gives
 * the whole URL, `{{start.callback}}`.) The rendered URL is checked in full
 * by renderEventCallbackUrl.
 */
export function checkCallbackUrlTemplate(
  value: string,
  parts: readonly TemplatePart[],
): string | undefined {
  if (value.length > MAX_CALLBACK_URL_LENGTH) {
    return `is too long (at most ${MAX_CALLBACK_URL_LENGTH} characters)`;
  }
  for (const part of parts) {
    if (!('literal' in part)) continue;
    if (CONTROL_CHARS.test(part.literal)) return 'contains control characters';
    if (/\s/.test(part.literal)) return 'contains spaces (percent-encode them, e.g. %20)';
  }
  const first = parts[0];
  if (first && 'literal' in first) {
    if (!HTTP.test(first.literal)) {
      return `must start with http:// or https:// (or be a placeholder giving the whole URL); got ${describeValue(value)}`;
    }
    const authority = first.literal.replace(HTTP, '').split(/[/?#]/)[0]!;
    if (authority.includes('@')) return credentials();
  }
  return undefined;
}

function credentials(): string {
  return "must not carry credentials (user:password@): callbacks are signed with the account's auth token instead";
}

function schemeOf(value: string): string {
  return value.slice(0, value.indexOf(':') + 1);
}
