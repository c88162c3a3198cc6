/**
 * The Reason header (RFC 3326): why a BYE or CANCEL was sent, or why a
 * request was refused, as a SIP status or an ISUP (ITU-T Q.850) cause.
 * Carriers fill it with the PSTN's release cause; we send one on every
 * BYE and CANCEL of ours, and surface the far end's on `ended` / `failed`.
 */
import {
  splitParamsOutsideQuotes,
  splitTopLevelCommas,
  unquoteLenient,
  type SipMessage,
} from '../message/index.js';

/** One Reason value: `Q.850;cause=16;text="Normal call clearing"`. */
export interface ReasonValue {
  /** `SIP`, `Q.850`, or another protocol token, as sent (upper-cased). */
  protocol: string;
  cause?: number;
  text?: string;
}

/** What the far end said about the end of a call, for `ended` / `failed`. */
export interface RemoteReason {
  /** Every Reason value of the BYE, CANCEL or final response (RFC 3326 §2: at most one per protocol). */
  reasons: ReasonValue[];
  /** The Q.850 cause among them, when there is one (16 normal clearing, 17 busy, 19 no answer …). */
  q850Cause?: number;
}

/** Values kept from one header: a hostile peer gains nothing from a thousand. */
const MAX_VALUES = 8;
const MAX_TEXT = 256;

/** The Reason values of a message, or undefined when it has none worth reading. Never throws. */
export function remoteReason(msg: SipMessage): RemoteReason | undefined {
  const reasons: ReasonValue[] = [];
  for (const line of msg.headers.lines('Reason')) {
    for (const value of splitTopLevelCommas(line)) {
      const parsed = parseReason(value);
      if (parsed && reasons.length < MAX_VALUES) reasons.push(parsed);
    }
  }
  if (reasons.length === 0) return undefined;
  const q850 = reasons.find((r) => r.protocol === 'Q.850' && r.cause !== undefined);
  return q850 ? { reasons, q850Cause: q850.cause } : { reasons };
}

/** `protocol *(;cause=N / ;text=quoted-string / ;ext)` (RFC 3326 §2). */
export function parseReason(value: string): ReasonValue | null {
  const pieces = splitParamsOutsideQuotes(value);
  const protocol = (pieces[0] ?? '').trim().toUpperCase();
  if (!/^[A-Z0-9.!%*_+`'~-]{1,32}$/.test(protocol)) return null;
  const out: ReasonValue = { protocol };
  for (const piece of pieces.slice(1)) {
    const eq = piece.indexOf('=');
    if (eq < 0) continue;
    const name = piece.slice(0, eq).trim().toLowerCase();
    const v = piece.slice(eq + 1).trim();
    if (name === 'cause' && /^[0-9]{1,5}$/.test(v)) out.cause = Number(v);
    else if (name === 'text') out.text = unquoteLenient(v).slice(0, MAX_TEXT);
  }
  return out;
}

/** Formats a Reason value; the text is quoted, with `"` and `\` escaped and controls dropped. */
export function formatReason(r: ReasonValue): string {
  let s = r.protocol;
  if (r.cause !== undefined) s += `;cause=${r.cause}`;
  if (r.text !== undefined) {
    // eslint-disable-next-line no-control-regex
    const text = r.text.replace(/[\u0000-\u001f\u007f]/g, '').replace(/(["\\])/g, '\\$1');
    s += `;text="${text}"`;
  }
  return s;
}

/** Q.850 causes we send (ITU-T Q.850 Table 1). */
export const Q850 = {
  normalClearing: { protocol: 'Q.850', cause: 16, text: 'Normal call clearing' },
  noAnswer: { protocol: 'Q.850', cause: 19, text: 'No answer from user (user alerted)' },
  timerExpiry: { protocol: 'Q.850', cause: 102, text: 'Recovery on timer expiry' },
} as const satisfies Record<string, ReasonValue>;

/** Hang-ups of ours that a timer decided, with the text their Reason carries. */
const TIMER_EXPIRIES: Record<string, string> = {
  'no ACK': Q850.timerExpiry.text,
  'session expired': 'Session timer expired (RFC 4028)',
  'media-timeout': 'Media timeout: no RTP nor RTCP from the peer',
};

/**
 * The Reason of a BYE we send for a local hang-up reason: a dialog we end
 * because a timer ran out — its ACK never came, its session timer expired,
 * the peer sent no media at all — is a timer expiry (Q.850 cause 102,
 * with a text saying which); any other hang-up of ours is normal clearing
 * (16), the cause the PSTN uses for a party that hangs up.
 */
export function byeReason(localReason: string): ReasonValue {
  const text = TIMER_EXPIRIES[localReason];
  return text === undefined ? Q850.normalClearing : { ...Q850.timerExpiry, text };
}
