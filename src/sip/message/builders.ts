/**
 * Building responses and generating the random identifiers RFC 3261 asks
 * for (branch §8.1.1.7, tag §19.3, Call-ID §8.1.1.4).
 */
import { randomBytes } from 'node:crypto';
import { Headers } from './headers.js';
import { SipResponse, type SipRequest } from './message.js';
import { reasonPhrase } from './reason-phrases.js';

/**
 * Builds a response to `req` as §8.2.6.2 says: Via (all, in order), From,
 * Call-ID and CSeq copied, To copied and given `toTag` unless it already has
 * a tag or the response is a 100 (a 100 never creates a dialog, §8.2.6.2).
 * A 100 also copies Timestamp (§8.2.6.1). Other headers (Contact,
 * Record-Route for dialogs) are the caller's to add.
 * Throws RangeError on a status outside 100-699 (a programming error, not input).
 */
export function createResponse(
  req: SipRequest,
  status: number,
  reason?: string,
  opts?: { toTag?: string },
): SipResponse {
  if (!Number.isInteger(status) || status < 100 || status > 699) {
    throw new RangeError(`status code out of range: ${status}`);
  }
  const h = new Headers();
  for (const e of req.headers.entries) if (e.key === 'via') h.append('Via', e.value);
  const from = req.headers.get('from');
  if (from !== undefined) h.append('From', from);
  const to = req.headers.get('to');
  if (to !== undefined) {
    let toValue = to;
    if (opts?.toTag !== undefined && status !== 100 && !toHasTag(req)) {
      toValue += ';tag=' + opts.toTag;
    }
    h.append('To', toValue);
  }
  const callId = req.headers.get('call-id');
  if (callId !== undefined) h.append('Call-ID', callId);
  const cseq = req.headers.get('cseq');
  if (cseq !== undefined) h.append('CSeq', cseq);
  if (status === 100) {
    const ts = req.headers.get('timestamp');
    if (ts !== undefined) h.append('Timestamp', ts);
  }
  return new SipResponse(status, reason ?? reasonPhrase(status), h);
}

function toHasTag(req: SipRequest): boolean {
  try {
    return req.to().params.has('tag');
  } catch {
    // An unparseable To cannot be tagged safely; leave it as received.
    return true;
  }
}

/** Random URL-safe characters (base64url: letters, digits, '-' and '_', all token chars). */
/**
 * Identifiers are drawn from a pooled block of CSPRNG output: one
 * randomBytes call per 4 KiB instead of one system call per tag or branch,
 * which matters at thousands of calls per second.
 */
const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let poolAt = 0;

function randomToken(bytes: number): string {
  if (poolAt + bytes > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const token = pool.toString('base64url', poolAt, poolAt + bytes);
  poolAt += bytes;
  return token;
}

/** A branch with the RFC 3261 magic cookie and 96 random bits (§8.1.1.7: unique across space and time). */
export function generateBranch(): string {
  return 'z9hG4bK' + randomToken(12);
}

/** A From/To tag: 64 random bits (§19.3 asks for at least 32). */
export function generateTag(): string {
  return randomToken(8);
}

/** A Call-ID: 128 random bits (§8.1.1.4: globally unique over time). */
export function generateCallId(): string {
  return randomToken(16);
}
