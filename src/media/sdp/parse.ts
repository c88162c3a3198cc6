/**
 * Parses an SDP body (RFC 4566) into the typed view of types.ts.
 *
 * The line grammar we depend on (v=, o=, c=, m=) is checked here, strictly
 * enough to give a clear reason for a bad body; attributes are read with
 * sdp-transform. Anything we cannot use becomes an SdpError — this function
 * never throws, whatever the input.
 */
import * as sdpTransform from 'sdp-transform';
import { connectionFromParts, parseConnection } from './connection.js';
import { isDirection } from './direction.js';
import { SdpError } from './errors.js';
import type {
  Direction,
  ParsedSdp,
  SdpConnection,
  SdpMedia,
  SdpOrigin,
  SdpRtpMap,
} from './types.js';

/** An SDP for a voice call is a few hundred bytes; refuse absurd bodies before splitting them. */
export const MAX_SDP_BYTES = 64 * 1024;

/** RFC 3551 Table 4: the static payload types a peer may use without an rtpmap. */
const STATIC_RTPMAPS: Readonly<Record<number, Omit<SdpRtpMap, 'payloadType'>>> = {
  0: { encodingName: 'PCMU', clockRate: 8000, channels: 1 },
  8: { encodingName: 'PCMA', clockRate: 8000, channels: 1 },
};

interface RawSection {
  /** The m= value, null for the session section. */
  mline: string | null;
  lines: { type: string; value: string; lineNo: number }[];
}

/** Parses `text`; returns the description or the reason it cannot be used. */
export function parseSdp(text: unknown): ParsedSdp | SdpError {
  try {
    return parseUnchecked(text);
  } catch (err) {
    // Defensive: a bug or an sdp-transform surprise must not escape as an exception.
    return new SdpError(
      'malformed',
      `unparseable SDP: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function parseUnchecked(text: unknown): ParsedSdp | SdpError {
  if (typeof text !== 'string' || text.trim().length === 0) {
    return new SdpError('not-sdp', 'body is empty, not an SDP');
  }
  if (text.length > MAX_SDP_BYTES) {
    return new SdpError('not-sdp', `body of ${text.length} bytes is too large for an SDP`);
  }
  const sections = splitSections(text);
  if (sections instanceof SdpError) return sections;
  const [session, ...mediaSections] = sections;

  const origin = parseOrigin(session);
  if (origin instanceof SdpError) return origin;

  let sessionConnection: SdpConnection | SdpError | null = null;
  const cLine = session.lines.find((l) => l.type === 'c');
  if (cLine) sessionConnection = parseConnection(cLine.value);

  let parsed: sdpTransform.SessionDescription;
  try {
    parsed = sdpTransform.parse(text);
  } catch (err) {
    return new SdpError('malformed', `unparseable attributes: ${(err as Error).message}`);
  }
  const transformMedia = Array.isArray(parsed.media) ? parsed.media : [];
  if (transformMedia.length !== mediaSections.length) {
    return new SdpError('malformed', 'm= lines could not be read consistently');
  }

  const sessionDirection = isDirection(parsed.direction) ? parsed.direction : null;
  const media: SdpMedia[] = [];
  for (let i = 0; i < mediaSections.length; i++) {
    const m = parseMedia(
      i,
      mediaSections[i],
      transformMedia[i],
      sessionConnection,
      sessionDirection ?? 'sendrecv',
    );
    if (m instanceof SdpError) return m;
    media.push(m);
  }
  if (!media.some((m) => m.type === 'audio')) {
    return new SdpError('no-audio', 'SDP has no m=audio line');
  }
  return {
    origin,
    sessionName: session.lines.find((l) => l.type === 's')?.value ?? '',
    connection: sessionConnection instanceof SdpError ? null : sessionConnection,
    direction: sessionDirection,
    media,
  };
}

function splitSections(text: string): RawSection[] | SdpError {
  const lines = text.split(/\r\n|\r|\n/);
  const sections: RawSection[] = [{ mline: null, lines: [] }];
  let sawVersion = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length === 0) continue;
    // RFC 4566 §5: every line is <type>=<value>, <type> a single letter.
    const m = /^([a-zA-Z])=(.*)$/.exec(line);
    if (!m) {
      if (!sawVersion) return new SdpError('not-sdp', 'body does not start with "v=0"');
      return new SdpError('malformed', `line ${i + 1} is not <type>=<value>: "${truncate(line)}"`);
    }
    const [, type, value] = m;
    if (!sawVersion) {
      // §5.1: the first line is v=0.
      if (type !== 'v' || value.trim() !== '0') {
        return new SdpError('not-sdp', 'body does not start with "v=0"');
      }
      sawVersion = true;
      continue;
    }
    if (type === 'm') sections.push({ mline: value, lines: [] });
    else sections[sections.length - 1].lines.push({ type, value, lineNo: i + 1 });
  }
  if (!sawVersion) return new SdpError('not-sdp', 'body does not start with "v=0"');
  return sections;
}

function parseOrigin(session: RawSection): SdpOrigin | SdpError {
  const line = session.lines.find((l) => l.type === 'o');
  if (!line) return new SdpError('not-sdp', 'SDP has no o= line');
  // §5.2: o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
  const m = /^(\S+) (\S+) (\d+) (\S+) (\S+) (\S+)\s*$/.exec(line.value);
  if (!m) return new SdpError('malformed', `malformed origin line "o=${truncate(line.value)}"`);
  return {
    username: m[1],
    sessionId: m[2],
    sessionVersion: m[3],
    addressType: m[5],
    address: m[6],
  };
}

function parseMedia(
  index: number,
  section: RawSection,
  attrs: sdpTransform.MediaDescription,
  sessionConnection: SdpConnection | SdpError | null,
  sessionDirection: Direction,
): SdpMedia | SdpError {
  const mline = section.mline ?? '';
  // §5.14: m=<media> <port>[/<number of ports>] <proto> <fmt> ...
  const m = /^(\S+) (\d+)(?:\/(\d+))? (\S+)(?: +(.*))?$/.exec(mline.trim());
  if (!m) return new SdpError('malformed', `malformed media line "m=${truncate(mline)}"`);
  const type = m[1];
  const port = Number(m[2]);
  if (port > 65535) return new SdpError('bad-port', `port ${m[2]} out of range in "m=${mline}"`);
  if (m[3] !== undefined && Number(m[3]) !== 1) {
    return new SdpError('bad-port', `port count /${m[3]} in "m=${mline}" is not supported`);
  }
  const protocol = m[4];
  const formats = (m[5] ?? '').split(/\s+/).filter((f) => f.length > 0);
  const isRtp = /(^|\/)RTP\//i.test(protocol);
  const payloadTypes = isRtp
    ? formats.filter((f) => /^\d{1,3}$/.test(f) && Number(f) <= 127).map(Number)
    : [];

  let connection: SdpConnection | SdpError | null = sessionConnection;
  const cLine = section.lines.find((l) => l.type === 'c');
  if (cLine) connection = parseConnection(cLine.value);
  if (type === 'audio' && port !== 0) {
    // §5.7: an active stream needs a connection address, at session or media level.
    if (connection === null) {
      return new SdpError(
        'bad-connection',
        `no c= line for the audio stream (m-line ${index + 1})`,
      );
    }
    if (connection instanceof SdpError) return connection;
  }

  const rtcp = parseRtcpAttribute(attrs);
  if (rtcp instanceof SdpError && type === 'audio' && port !== 0) return rtcp;

  return {
    index,
    type,
    port,
    protocol,
    formats,
    payloadTypes,
    rtpmaps: rtpmapsOf(attrs, payloadTypes),
    fmtp: new Map((attrs.fmtp ?? []).map((f) => [Number(f.payload), String(f.config)])),
    connection: connection instanceof SdpError ? null : connection,
    direction: isDirection(attrs.direction) ? attrs.direction : sessionDirection,
    ptime: positive(attrs.ptime),
    maxptime: positive(attrs.maxptime),
    rtcp: rtcp instanceof SdpError ? null : rtcp,
    rtcpMux: attrs.rtcpMux !== undefined,
  };
}

function rtpmapsOf(attrs: sdpTransform.MediaDescription, payloadTypes: number[]): SdpRtpMap[] {
  const maps: SdpRtpMap[] = [];
  for (const r of attrs.rtp ?? []) {
    const payloadType = Number(r.payload);
    if (!Number.isInteger(payloadType) || maps.some((x) => x.payloadType === payloadType)) continue;
    maps.push({
      payloadType,
      encodingName: String(r.codec),
      clockRate: Number(r.rate ?? 0),
      // §6 rtpmap: the encoding parameter of audio is the channel count, 1 when absent.
      channels: r.encoding === undefined || String(r.encoding) === '' ? 1 : Number(r.encoding),
    });
  }
  for (const pt of payloadTypes) {
    const implied = STATIC_RTPMAPS[pt];
    if (implied && !maps.some((x) => x.payloadType === pt))
      maps.push({ payloadType: pt, ...implied });
  }
  return maps;
}

function parseRtcpAttribute(attrs: sdpTransform.MediaDescription): SdpMedia['rtcp'] | SdpError {
  const r = attrs.rtcp;
  if (!r) return null;
  const port = Number(r.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return new SdpError('bad-port', `a=rtcp port ${String(r.port)} out of range`);
  }
  if (!r.address) return { port, connection: null };
  const type = r.ipVer === 6 ? 'IP6' : 'IP4';
  const connection = connectionFromParts(type, r.address, `a=rtcp:${port}`);
  if (connection instanceof SdpError) return connection;
  return { port, connection };
}

function positive(value: unknown): number | null {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
