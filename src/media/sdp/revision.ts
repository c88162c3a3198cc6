/**
 * The o= line of every SDP we send after the first one of a session
 * (RFC 3264 §8): "the origin field MUST be identical to that in the
 * previous SDP, except that the version ... MUST increment by one from the
 * previous SDP. If the version in the origin line does not increment, the
 * SDP MUST be identical to the SDP with that version number."
 *
 * Our rule for both re-offers and re-answers: a description whose content is
 * unchanged is sent again byte for byte, version and all (a session refresh
 * re-INVITE, RFC 4028, or a re-offer that changes nothing, must not look
 * like a change to a peer that compares versions); anything else gets the
 * previous o= line verbatim — username, session id, address — with the
 * version plus one, computed exactly (versions may exceed 2^53).
 */
import { nextVersion } from './write.js';

const ORIGIN_LINE = /^o=[^\r\n]*/m;

/**
 * `candidate` (a description we just wrote) as the next SDP after
 * `previous` (the last one we sent in this session, offer or answer, with
 * session version `previousVersion` as parsed from it).
 */
export function revise(candidate: string, previous: string, previousVersion: string): string {
  const previousOrigin = ORIGIN_LINE.exec(previous)?.[0];
  // parseSdp accepted `previous`, so it has an o= line; kept for the type checker.
  if (previousOrigin === undefined) return candidate;
  const same = candidate.replace(ORIGIN_LINE, () => previousOrigin);
  if (sameLines(same, previous)) return previous;
  const bumped = previousOrigin.replace(
    /^(o=\S+ \S+ )\d+/,
    (_, head: string) => head + nextVersion(previousVersion),
  );
  return candidate.replace(ORIGIN_LINE, () => bumped);
}

/** Equal line for line (line ends and blank lines aside: RFC 4566 §5 allows bare LF from peers). */
function sameLines(a: string, b: string): boolean {
  const la = linesOf(a);
  const lb = linesOf(b);
  return la.length === lb.length && la.every((line, i) => line === lb[i]);
}

function linesOf(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((l) => l.length > 0);
}
