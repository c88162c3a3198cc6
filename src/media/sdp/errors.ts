/**
 * Why an SDP could not be used. Every remote-input failure of this layer is
 * one of these, returned (never thrown), so the SIP layer can map it to a
 * response: RFC 3261 §13.3.1.1 / §21.4.26 — an offer we cannot answer gets
 * 488 Not Acceptable Here; the message says what was wrong.
 */
export type SdpErrorCode =
  /** Not an SDP body at all (empty, binary, no `v=0` first line, no `o=`). */
  | 'not-sdp'
  /** A line that breaks RFC 4566 §5 grammar where we need it (o=, m=, a line not `x=...`). */
  | 'malformed'
  /** No `m=audio` line (RFC 4566 §5.14). */
  | 'no-audio'
  /** c= missing for an active audio stream, not IN IP4/IP6, not an IP literal, or multicast. */
  | 'bad-connection'
  /** A port outside 0..65535, or a port count (`port/n`) we cannot use. */
  | 'bad-port'
  /** Audio is offered only over a transport we do not speak (RTP/SAVP, UDP/TLS/RTP/SAVPF ...). */
  | 'unsupported-transport'
  /** No codec in common (RFC 3264 §6: the offer cannot be answered; SIP answers 488). */
  | 'no-common-codec'
  /** The answer rejected our audio stream (port 0, RFC 3264 §6). */
  | 'rejected'
  /** The answer does not fit the offer (missing m-line, codec we never offered). */
  | 'answer-mismatch';

export class SdpError extends Error {
  override readonly name = 'SdpError';
  constructor(
    readonly code: SdpErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Narrowing helper: `if (isSdpError(r)) ...`. */
export function isSdpError(value: unknown): value is SdpError {
  return value instanceof SdpError;
}
