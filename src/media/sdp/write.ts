/**
 * Writes the SDP bodies we send (RFC 4566 §5 line order, CRLF line ends)
 * with sdp-transform. o= is written by hand afterwards: sdp-transform
 * formats the session version as a JavaScript number, which would round a
 * peer-style 64-bit version, and we must increment versions exactly
 * (RFC 3264 §8).
 */
import { randomInt } from 'node:crypto';
import * as sdpTransform from 'sdp-transform';
import type { AddressType, Direction } from './types.js';

export const SESSION_NAME = 'partyline';

export interface RtpFormat {
  payloadType: number;
  encodingName: string;
  clockRate: number;
  /** a=fmtp parameters, if any. */
  fmtp?: string;
}

export interface ActiveAudioSection {
  kind: 'audio';
  port: number;
  formats: RtpFormat[];
  ptime: number;
  direction: Direction;
  rtcpMux: boolean;
}

/** An m-line we reject or disable: port 0, formats echoed (RFC 3264 §6: at least one format). */
export interface DisabledSection {
  kind: 'disabled';
  type: string;
  protocol: string;
  formats: string[];
}

export interface SdpSpec {
  address: string;
  addressType: AddressType;
  sessionId: string;
  sessionVersion: string;
  media: (ActiveAudioSection | DisabledSection)[];
}

/**
 * The text of `spec`. What varies from one call to the next — the address
 * (c= and o=), the ports (m=), the session id and version (o=) — is written
 * into the rendering of the spec's shape, which sdp-transform makes once per
 * shape: a fresh rendering for every offer was the largest single allocation
 * of a `call` request (~19 KB of its ~250 KB in the API benchmark). The text
 * is the same as renderSdp's, character for character (write.test.ts).
 */
export function writeSdp(spec: SdpSpec): string {
  const key = shapeKey(spec);
  let lines = shapes.get(key);
  if (lines === undefined) {
    lines = renderSdp(spec).split('\r\n');
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(key, lines);
  }
  const ipVer = spec.addressType === 'IP6' ? 6 : 4;
  let out = '';
  let m = 0;
  for (const line of lines) {
    if (line.length === 0) continue;
    if (line.startsWith('o=')) out += originLine(spec);
    else if (line.startsWith('c=')) out += `c=IN IP${ipVer} ${spec.address}`;
    else if (line.startsWith('m=')) {
      const media = spec.media[m++]!;
      const port = media.kind === 'audio' ? media.port : 0;
      // m=<media> <port> <proto> <fmt> ...: only the port is the call's own.
      const first = line.indexOf(' ');
      out += `${line.slice(0, first)} ${port}${line.slice(line.indexOf(' ', first + 1))}`;
    } else out += line;
    out += '\r\n';
  }
  return out;
}

/** Renderings by shape (see writeSdp); answers echo a peer's disabled m-lines, so it is bounded. */
const shapes = new Map<string, string[]>();
const MAX_SHAPES = 256;

/** Everything of `spec` but the address, the ports, the session id and version. */
function shapeKey(spec: SdpSpec): string {
  let key = spec.addressType;
  for (const m of spec.media) {
    key +=
      m.kind === 'audio'
        ? `|a ${m.ptime} ${m.direction} ${m.rtcpMux ? 1 : 0}` +
          m.formats
            .map((f) => ` ${f.payloadType}/${f.encodingName}/${f.clockRate}/${f.fmtp ?? ''}`)
            .join('')
        : `|d ${JSON.stringify([m.type, m.protocol, m.formats])}`;
  }
  return key;
}

function originLine(spec: SdpSpec): string {
  return `o=${SESSION_NAME} ${spec.sessionId} ${spec.sessionVersion} IN ${spec.addressType} ${spec.address}`;
}

/** `spec` written by sdp-transform (exported for write.test.ts, which holds writeSdp to it). */
export function renderSdp(spec: SdpSpec): string {
  const ipVer = spec.addressType === 'IP6' ? 6 : 4;
  const description: sdpTransform.SessionDescription = {
    version: 0,
    origin: {
      username: SESSION_NAME,
      sessionId: 0,
      sessionVersion: 0,
      netType: 'IN',
      ipVer,
      address: spec.address,
    },
    name: SESSION_NAME,
    connection: { version: ipVer, ip: spec.address },
    timing: { start: 0, stop: 0 },
    media: spec.media.map((m) => (m.kind === 'audio' ? audioMedia(m) : disabledMedia(m))),
  };
  const text = sdpTransform.write(description);
  return text.replace(/^o=[^\r\n]*/m, originLine(spec));
}

function audioMedia(m: ActiveAudioSection): sdpTransform.MediaDescription {
  const media: sdpTransform.MediaDescription = {
    type: 'audio',
    port: m.port,
    protocol: 'RTP/AVP',
    payloads: m.formats.map((f) => f.payloadType).join(' '),
    rtp: m.formats.map((f) => ({
      payload: f.payloadType,
      codec: f.encodingName,
      rate: f.clockRate,
    })),
    fmtp: m.formats
      .filter((f) => f.fmtp !== undefined)
      .map((f) => ({ payload: f.payloadType, config: f.fmtp ?? '' })),
    ptime: m.ptime,
    direction: m.direction,
  };
  if (m.rtcpMux) media.rtcpMux = 'rtcp-mux';
  return media;
}

function disabledMedia(m: DisabledSection): sdpTransform.MediaDescription {
  return {
    type: m.type,
    port: 0,
    protocol: m.protocol,
    payloads: m.formats.length > 0 ? m.formats.join(' ') : '0',
    rtp: [],
    fmtp: [],
  };
}

/**
 * A fresh session id: RFC 4566 §5.2 only asks for a numeric string unique
 * enough; a random 12-digit number avoids leaking clock time.
 */
export function newSessionId(): string {
  return String(randomInt(1e11, 1e12 - 1));
}

/** Validates a caller-supplied session id / version (digits only). */
export function decimalString(
  value: string | number | undefined,
  fallback: string,
  what: string,
): string {
  if (value === undefined) return fallback;
  const s = String(value);
  if (!/^\d{1,20}$/.test(s)) throw new RangeError(`SDP ${what} must be a decimal number, got ${s}`);
  return s;
}

/** RFC 3264 §8: the version of a modified description is the previous one plus one (exact). */
export function nextVersion(version: string): string {
  return (BigInt(version) + 1n).toString();
}
