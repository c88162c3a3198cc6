/**
 * Choosing what to run from a media description: the codec, the RFC 4733
 * telephone-event format, the packet time, and the peer's real direction.
 */
import { codecByName, type Codec, type CodecName } from '../codec/index.js';
import { isUnspecifiedAddress } from './connection.js';
import { directionFlags, directionFromFlags } from './direction.js';
import { DEFAULT_PTIME, MAX_PTIME, MIN_PTIME } from './constants.js';
import type { Direction, SdpMedia } from './types.js';

export interface ChosenCodec {
  codec: Codec;
  payloadType: number;
}

/**
 * The first payload type of `media` (its author's order of preference,
 * RFC 3264 §6.1) that is G.711 at 8000 Hz mono and among `accepted`. The
 * payload number is the author's, static or dynamic.
 */
export function chooseCodec(media: SdpMedia, accepted: readonly CodecName[]): ChosenCodec | null {
  for (const pt of media.payloadTypes) {
    const map = media.rtpmaps.find((r) => r.payloadType === pt);
    if (!map || map.clockRate !== 8000 || map.channels !== 1) continue;
    const codec = codecByName(map.encodingName);
    if (codec && accepted.includes(codec.name)) return { codec, payloadType: pt };
  }
  return null;
}

/**
 * Every payload type of `media` that is G.711 at 8000 Hz mono and among
 * `accepted`, in its author's order: the formats a stream must decode when
 * they arrive (RFC 3264 §5.1: the offerer must be ready for any format it
 * listed, at any time).
 */
export function codecsIn(media: SdpMedia, accepted: readonly CodecName[]): ChosenCodec[] {
  const out: ChosenCodec[] = [];
  for (const pt of media.payloadTypes) {
    const map = media.rtpmaps.find((r) => r.payloadType === pt);
    if (!map || map.clockRate !== 8000 || map.channels !== 1) continue;
    const codec = codecByName(map.encodingName);
    if (codec && accepted.includes(codec.name)) out.push({ codec, payloadType: pt });
  }
  return out;
}

export interface ChosenTelephoneEvent {
  payloadType: number;
  /** The DTMF events both sides support, as an fmtp event list ("0-15"). */
  events: string;
}

/**
 * The telephone-event format at 8000 Hz (RFC 4733 §7.1.1), if its event list
 * shares any of the DTMF events 0-15 with us. A dynamic payload number is
 * kept as offered.
 */
export function chooseTelephoneEvent(media: SdpMedia): ChosenTelephoneEvent | null {
  for (const pt of media.payloadTypes) {
    const map = media.rtpmaps.find((r) => r.payloadType === pt);
    if (!map || map.encodingName.toLowerCase() !== 'telephone-event' || map.clockRate !== 8000) {
      continue;
    }
    const events = dtmfEventsOf(media.fmtp.get(pt));
    if (events.length > 0) return { payloadType: pt, events: formatEventList(events) };
  }
  return null;
}

/**
 * DTMF events (0-15) in an RFC 4733 §2.4.1 event list ("0-15,66,70");
 * absent fmtp means 0-15. Malformed items are skipped.
 */
export function dtmfEventsOf(fmtp: string | undefined): number[] {
  if (fmtp === undefined || fmtp.trim() === '') return range(0, 15);
  const set = new Set<number>();
  for (const item of fmtp.split(',')) {
    const m = /^\s*(\d{1,3})(?:\s*-\s*(\d{1,3}))?\s*$/.exec(item);
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let e = lo; e <= Math.min(hi, 15); e++) set.add(e);
  }
  return [...set].sort((a, b) => a - b);
}

function formatEventList(events: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < events.length;) {
    let j = i;
    while (j + 1 < events.length && events[j + 1] === events[j] + 1) j++;
    parts.push(i === j ? `${events[i]}` : `${events[i]}-${events[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function range(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

/**
 * The packet time to send with: the peer's a=ptime (the packetisation it
 * wants to receive, RFC 4566 §6), else `fallback`; rounded and kept within
 * what we run (10..200 ms) and the peer's a=maxptime.
 */
export function choosePtime(media: SdpMedia, fallback: number = DEFAULT_PTIME): number {
  const upper = Math.max(MIN_PTIME, Math.min(MAX_PTIME, Math.floor(media.maxptime ?? MAX_PTIME)));
  const wanted = media.ptime === null ? fallback : Math.round(media.ptime);
  return Math.max(MIN_PTIME, Math.min(upper, wanted));
}

/**
 * The peer's direction as it will behave: as signalled, except that an
 * old-style hold address (c=0.0.0.0, RFC 2543) means it receives nothing;
 * RFC 3264 §8.4 forbids sending media there.
 */
export function effectiveRemoteDirection(media: SdpMedia): Direction {
  const address = media.connection?.address;
  if (address === undefined || !isUnspecifiedAddress(address)) return media.direction;
  return directionFromFlags(directionFlags(media.direction).send, false);
}

/** Where the peer wants RTCP: same port under rtcp-mux (RFC 5761), a=rtcp (RFC 3605), else RTP + 1. */
export function remoteRtcpPort(media: SdpMedia, mux: boolean): number {
  if (mux) return media.port;
  return media.rtcp?.port ?? Math.min(65535, media.port + 1);
}
