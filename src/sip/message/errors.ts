/**
 * A typed parse failure. The parser never lets any other exception escape:
 * every malformed input becomes one of these, whose message is fit to be the
 * reason phrase of a 400 (RFC 3261 §21.4.1 says the reason phrase should tell
 * what was wrong).
 */
export class SipParseError extends Error {
  override readonly name = 'SipParseError';
  constructor(message: string) {
    super(message);
  }
}
