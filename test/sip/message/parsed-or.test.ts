/** parsedOr and masked internal errors (src/sip/message/errors.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SipParseError,
  isMaskedInternalError,
  parseMessage,
  parsedOr,
} from '../../../src/sip/message/index.js';

describe('parsedOr', () => {
  it('gives the fallback for bad input and rethrows anything else', () => {
    assert.equal(
      parsedOr(() => {
        throw new SipParseError('Bad Via header');
      }, null),
      null,
    );
    assert.equal(
      parsedOr(() => 7, null),
      7,
    );
    assert.throws(
      () =>
        parsedOr(() => {
          throw new TypeError('a bug');
        }, null),
      TypeError,
    );
  });

  it('a deliberate parse error is not masked; one standing in for a bug is', () => {
    const bad = parseMessage('NOT SIP AT ALL\r\n\r\n');
    assert.equal(bad.ok, false);
    assert.equal(bad.ok ? null : isMaskedInternalError(bad.error), false);
    const masked = new SipParseError('Malformed message', { cause: new TypeError('x') });
    assert.equal(isMaskedInternalError(masked), true);
    assert.equal(isMaskedInternalError(new SipParseError('Bad CSeq header')), false);
  });
});
