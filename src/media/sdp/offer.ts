/**
 * Offers (RFC 3264 §5): the first one of a session, and the re-offers (§8)
 * that put the peer on hold, take it off hold (§8.4) or set a direction.
 */
import { codecByName, type CodecName } from '../codec/index.js';
import { addressTypeOf } from './connection.js';
import {
  DEFAULT_PTIME,
  DTMF_EVENTS,
  MAX_PTIME,
  MIN_PTIME,
  TELEPHONE_EVENT_PT,
} from './constants.js';
import { holdDirection, isDirection } from './direction.js';
import { SdpError } from './errors.js';
import { parseSdp } from './parse.js';
import { revise } from './revision.js';
import type { Direction, OfferOptions } from './types.js';
import { decimalString, newSessionId, writeSdp, type RtpFormat } from './write.js';

/**
 * Our offer. Options are our own configuration, not remote input, so a bad
 * value is a programming error.
 * @throws TypeError / RangeError on an address that is not an IP literal, a port
 *   outside 1..65535, no or unknown codecs, a ptime outside 10..200, a bad direction.
 */
export function createOffer(opts: OfferOptions): string {
  const addressType = checkAddress(opts.address);
  checkPort(opts.port);
  const ptime = checkPtime(opts.ptime ?? DEFAULT_PTIME);
  const direction = opts.direction ?? 'sendrecv';
  if (!isDirection(direction)) throw new TypeError(`unknown SDP direction ${String(direction)}`);
  const formats = codecFormats(opts.codecs);
  if (opts.telephoneEvent) {
    formats.push({
      payloadType: TELEPHONE_EVENT_PT,
      encodingName: 'telephone-event',
      clockRate: 8000,
      fmtp: DTMF_EVENTS,
    });
  }
  return writeSdp({
    address: opts.address,
    addressType,
    sessionId: decimalString(opts.sessionId, newSessionId(), 'session id'),
    sessionVersion: decimalString(opts.sessionVersion, '1', 'session version'),
    media: [{ kind: 'audio', port: opts.port, formats, ptime, direction, rtcpMux: false }],
  });
}

/**
 * RFC 3264 §8.4 hold: `previous` is the last SDP we sent in this session
 * (offer or answer). Each active audio stream stops receiving — sendrecv
 * becomes sendonly, recvonly becomes inactive — and the o= version goes up
 * by one (§8; revision.ts: a stream already on hold gives the previous SDP
 * back unchanged, same version). Everything else is kept as it was.
 */
export function holdOffer(previous: string): string | SdpError {
  return reOffer(previous, holdDirection);
}

/** Takes the peer off hold: the active audio streams become sendrecv again, version + 1. */
export function unholdOffer(previous: string): string | SdpError {
  return reOffer(previous, () => 'sendrecv');
}

/**
 * A re-offer (RFC 3264 §8) of `previous`, the last SDP we sent in this
 * session, with every active audio stream set to `direction` (e.g.
 * 'inactive' to stop media both ways, §8.4). Same o= session id; the
 * version goes up by one, or stays when nothing changed (then the result is
 * `previous` itself, see revision.ts).
 * @throws TypeError on a value that is not a direction (our own call).
 */
export function reoffer(previous: string, direction: Direction): string | SdpError {
  if (!isDirection(direction)) throw new TypeError(`unknown SDP direction ${String(direction)}`);
  return reOffer(previous, () => direction);
}

const DIRECTION_LINE = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/;

function reOffer(previous: string, change: (d: Direction) => Direction): string | SdpError {
  const parsed = parseSdp(previous);
  if (parsed instanceof SdpError) return parsed;
  const lines = previous.split(/\r\n|\r|\n/).filter((l) => l.length > 0);
  const out: string[] = [];
  let mediaIndex = -1;
  const flushSection = (): void => {
    if (mediaIndex < 0) return;
    const m = parsed.media[mediaIndex];
    if (m.type === 'audio' && m.port !== 0) out.push(`a=${change(m.direction)}`);
    // Keep the effective direction of other streams explicit: the session-level line is dropped.
    else if (m.port !== 0) out.push(`a=${m.direction}`);
  };
  for (const line of lines) {
    if (line.startsWith('m=')) {
      flushSection();
      mediaIndex++;
      out.push(line);
      continue;
    }
    if (DIRECTION_LINE.test(line)) continue;
    out.push(line);
  }
  flushSection();
  // §8: same o= line, version + 1 — unless the description came out unchanged.
  return revise(`${out.join('\r\n')}\r\n`, previous, parsed.origin.sessionVersion);
}

function codecFormats(names: CodecName[]): RtpFormat[] {
  if (!Array.isArray(names) || names.length === 0)
    throw new TypeError('offer needs at least one codec');
  const formats: RtpFormat[] = [];
  for (const name of names) {
    const codec = codecByName(String(name));
    if (!codec) throw new TypeError(`unknown codec ${String(name)}`);
    if (formats.some((f) => f.payloadType === codec.payloadType)) continue;
    formats.push({
      payloadType: codec.payloadType,
      encodingName: codec.name,
      clockRate: codec.clockRate,
    });
  }
  return formats;
}

export function checkAddress(address: string): 'IP4' | 'IP6' {
  const type = typeof address === 'string' ? addressTypeOf(address) : null;
  if (!type) throw new TypeError(`SDP address must be an IP literal, got ${String(address)}`);
  return type;
}

export function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`RTP port must be 1..65535, got ${String(port)}`);
  }
}

export function checkPtime(ptime: number): number {
  if (!Number.isInteger(ptime) || ptime < MIN_PTIME || ptime > MAX_PTIME) {
    throw new RangeError(
      `ptime must be an integer ${MIN_PTIME}..${MAX_PTIME} ms, got ${String(ptime)}`,
    );
  }
  return ptime;
}
