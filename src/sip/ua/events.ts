import type { CallFailure } from './causes.js';
import type { RemoteReason } from './reason.js';

/** Events of a call, outgoing or incoming. */
export interface CallEvents {
  /** A provisional response (UAC): 180 ringing, 183 session progress with early-media SDP. */
  progress: [{ status: number; reason: string; sdp: string | null }];
  /** The call was answered: UAC got a 2xx (the ACK is already sent); UAS sent its 2xx. */
  answered: [{ sdp: string | null }];
  /** UAS: the ACK for our 2xx arrived; the dialog is fully up. */
  confirmed: [];
  /** The call never connected. */
  failed: [CallFailure];
  /** A connected call ended. */
  ended: [{ by: 'local' | 'remote'; reason: string; remote?: RemoteReason }];
  /**
   * The remote side changed the session with a re-INVITE or UPDATE, and we
   * answered it (offer null: an offerless re-INVITE, `answer` is then our
   * offer and its answer follows in 'remote-answer').
   */
  reinvited: [{ offer: string | null; answer: string }];
  /**
   * Our offer, sent in a 2xx to an INVITE without SDP, was answered in the
   * ACK (RFC 3261 §13.2.1, §14.2): `answer` is the peer's description now.
   */
  'remote-answer': [{ offer: string; answer: string }];
}
