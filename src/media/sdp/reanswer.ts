/**
 * Answering a re-offer (a re-INVITE or UPDATE within the session, RFC 3264
 * §8). The answer is made like the first one (§6, negotiateAnswer: codec,
 * ptime, and the direction — the peer's sendonly hold makes us recvonly,
 * inactive stays inactive, sendrecv brings both ways back, always within our
 * own wish), but its o= line continues our side of the session: the o= line
 * of the last SDP we sent, offer or answer, with the version plus one — or
 * that same SDP again, same version, when the answer is unchanged
 * (revision.ts).
 */
import { negotiateAnswer, type AnswerResult } from './answer.js';
import { SdpError } from './errors.js';
import { parseSdp } from './parse.js';
import { revise } from './revision.js';
import type { AnswerOptions } from './types.js';

/**
 * Answers `offerText`, a re-offer, after `previousLocalSdp`, the last SDP
 * we sent in this session. `local.sessionId` / `local.sessionVersion` are
 * not used: both come from `previousLocalSdp`. Remote input never throws
 * (an offer we cannot take is `{ error }`, the SIP layer answers 488 and the
 * session goes on as before, RFC 3261 §14.2); an unparseable
 * `previousLocalSdp` is `{ error }` too.
 * @throws TypeError / RangeError on bad `local` options (our configuration).
 */
export function reanswer(
  offerText: string,
  previousLocalSdp: string,
  local: AnswerOptions,
): AnswerResult {
  const previous = parseSdp(previousLocalSdp);
  if (previous instanceof SdpError) {
    return {
      error: new SdpError(previous.code, `our previous SDP is unusable: ${previous.message}`),
    };
  }
  const fresh = negotiateAnswer(offerText, {
    ...local,
    sessionId: undefined,
    sessionVersion: undefined,
  });
  if ('error' in fresh) return fresh;
  return {
    answer: revise(fresh.answer, previousLocalSdp, previous.origin.sessionVersion),
    media: fresh.media,
  };
}
