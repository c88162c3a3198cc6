/**
 * The RFC 4733 telephone-event payload (§2.3): one 4-octet event report.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   |     event     |E|R| volume    |          duration             |
 *
 * Only the DTMF events 0–15 (§3.2, Table 3) are understood here; other codes
 * (flash, modem and fax tones) are not digits and parse as null.
 */

/** RFC 4733 §3.2: event codes 0–15 in order. */
const DIGITS = '0123456789*#ABCD';

export interface TelephoneEvent {
  /** 0–9 digits, 10 = *, 11 = #, 12–15 = A–D. */
  event: number;
  /** E bit: this report ends the event. */
  end: boolean;
  /** Power level as a positive number of dBm0 below 0 (0..63). */
  volume: number;
  /** Duration so far, in timestamp units. */
  duration: number;
}

export const TELEPHONE_EVENT_SIZE = 4;

/** Parses one event report; null if shorter than 4 octets or not a DTMF event. */
export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | null {
  if (payload.length < TELEPHONE_EVENT_SIZE) return null;
  const event = payload[0];
  if (event > 15) return null;
  return {
    event,
    end: (payload[1] & 0x80) !== 0,
    volume: payload[1] & 0x3f,
    duration: (payload[2] << 8) | payload[3],
  };
}

/** Builds one event report; the R bit is always zero (§2.3.3: reserved, set to 0). */
export function serializeTelephoneEvent(ev: TelephoneEvent): Buffer {
  const buf = Buffer.alloc(TELEPHONE_EVENT_SIZE);
  buf[0] = ev.event & 0xff;
  buf[1] = (ev.end ? 0x80 : 0) | (ev.volume & 0x3f);
  buf.writeUInt16BE(Math.max(0, Math.min(0xffff, Math.round(ev.duration))), 2);
  return buf;
}

/** '0'–'9', '*', '#', 'A'–'D' (either case) → event code; null for anything else. */
export function digitToEvent(digit: string): number | null {
  if (digit.length !== 1) return null;
  const at = DIGITS.indexOf(digit.toUpperCase());
  return at < 0 ? null : at;
}

/** Event code 0–15 → its digit character. */
export function eventToDigit(event: number): string | null {
  return Number.isInteger(event) && event >= 0 && event < DIGITS.length ? DIGITS[event] : null;
}
