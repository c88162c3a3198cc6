/**
 * A typed parse failure. The parser never lets any other exception escape:
 * every malformed input becomes one of these, whose message is fit to be the
 * reason phrase of a 400 (RFC 3261 §21.4.1 says the reason phrase should tell
 * what was wrong).
 */
export class SipParseError extends Error {
  override readonly name = 'SipParseError';
  /**
   * `cause` is set only when this stands in for an error that was not a
   * deliberate parse error (a bug below, turned into bad input so it cannot
   * crash the process): counted as a masked internal error, never hidden.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * `read()`, or `fallback` when it found its input malformed (SipParseError).
 * Any other error is a bug and propagates — for the transport to count
 * (never swallowed as if it were bad input).
 */
export function parsedOr<T, F>(read: () => T, fallback: F): T | F {
  try {
    return read();
  } catch (e) {
    if (e instanceof SipParseError) return fallback;
    throw e;
  }
}

/** Whether `e` is a parse error that stands in for an internal error (a bug), see SipParseError. */
export function isMaskedInternalError(e: unknown): boolean {
  return e instanceof SipParseError && e.cause !== undefined;
}
