/** Numbers of our SDP offers and answers. */

/** The dynamic payload type we offer telephone-event with (the customary one, RFC 4733 §7.1.1). */
export const TELEPHONE_EVENT_PT = 101;
/** RFC 4733 §3.2: DTMF events 0-9, *, #, A-D. */
export const DTMF_EVENTS = '0-15';
/** RFC 3551 §4.5: G.711 default packetisation. */
export const DEFAULT_PTIME = 20;
/** Packet times we run: 10 ms .. 200 ms (beyond that a lost packet is a gap anyone hears). */
export const MIN_PTIME = 10;
export const MAX_PTIME = 200;
