/**
 * What the hostile sender sends and how it reads the answers: new
 * out-of-dialog requests that each look like a fresh transaction (a random
 * Via branch, Call-ID and From tag every time, as a spoofing flood makes
 * them — nothing can be matched to an earlier one), and garbage.
 *
 * - `invite`: an INVITE with an SDP offer to a user no PHLO takes;
 * - `register`: a REGISTER binding a random user;
 * - `options`: an OPTIONS ping;
 * - `garbage`: half random bytes, half a request line with unusable headers
 *   (the parser must reject both without creating anything).
 */
import { randomBytes } from 'node:crypto';

export const FLOOD_KINDS = ['invite', 'register', 'options', 'garbage'] as const;
export type FloodKind = (typeof FLOOD_KINDS)[number];

/** Share of each kind in the flood (weights, any positive scale). */
export type FloodMix = Record<FloodKind, number>;

export const DEFAULT_MIX: FloodMix = { invite: 4, register: 3, options: 2, garbage: 1 };

export interface Endpoints {
  /** Where the flood goes (the server's SIP listener). */
  target: { host: string; port: number };
  /** The sender's own address, for Via and Contact (responses go to the Via's sent-by). */
  local: { host: string; port: number };
}

/** A token of `bytes` random bytes in hex. */
function token(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * Datagram number `n` of the flood, of `kind`, with fresh identifiers; its
 * Call-ID starts `f<n>-` so that an answer can be traced to its request.
 */
export function floodMessage(kind: FloodKind, n: number, ep: Endpoints): Buffer {
  if (kind === 'garbage') return garbage(ep);
  const { host, port } = ep.target;
  const local = `${ep.local.host}:${ep.local.port}`;
  const method = kind.toUpperCase();
  const user = kind === 'register' ? `u${token(3)}` : 'flood';
  const uri = kind === 'register' ? `sip:${host}:${port}` : `sip:${user}@${host}:${port}`;
  const body =
    kind === 'invite'
      ? [
          'v=0',
          `o=flood 1 1 IN IP4 ${ep.local.host}`,
          's=-',
          `c=IN IP4 ${ep.local.host}`,
          't=0 0',
          'm=audio 9 RTP/AVP 0',
          'a=rtpmap:0 PCMU/8000',
          '',
        ].join('\r\n')
      : '';
  const headers = [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${local};branch=z9hG4bK${token(8)};rport`,
    'Max-Forwards: 70',
    `From: <sip:${user}@${ep.local.host}>;tag=${token(4)}`,
    `To: <sip:${user}@${host}>`,
    `Call-ID: f${n}-${token(8)}@${ep.local.host}`,
    `CSeq: 1 ${method}`,
    `Contact: <sip:${user}@${local}>`,
  ];
  if (kind === 'register') headers.push('Expires: 3600');
  if (body !== '') headers.push('Content-Type: application/sdp');
  headers.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`);
}

function garbage(ep: Endpoints): Buffer {
  if (Math.random() < 0.5) return randomBytes(40 + Math.floor(Math.random() * 400));
  // Looks like a request; its Via and CSeq cannot be parsed.
  return Buffer.from(
    `INVITE sip:flood@${ep.target.host} SIP/2.0\r\nVia: ${token(6)}\r\nCSeq: x\r\n` +
      `Call-ID: ${token(6)}\r\nContent-Length: 0\r\n\r\n`,
  );
}

/**
 * Picks kinds in proportion to `mix`, deterministically spread (a weighted
 * round robin), so even a short flood has every kind in its share.
 */
export function kindPicker(mix: FloodMix): () => FloodKind {
  const kinds = FLOOD_KINDS.filter((k) => mix[k] > 0);
  if (kinds.length === 0) throw new Error('flood mix has no kind with a positive weight');
  const total = kinds.reduce((n, k) => n + mix[k], 0);
  const credit = new Map<FloodKind, number>(kinds.map((k) => [k, 0]));
  return () => {
    // Smooth weighted round robin (as nginx's upstream balancer picks).
    let best = kinds[0];
    for (const k of kinds) {
      credit.set(k, credit.get(k)! + mix[k]);
      if (credit.get(k)! > credit.get(best)!) best = k;
    }
    credit.set(best, credit.get(best)! - total);
    return best;
  };
}

export interface FloodAnswer {
  status: number;
  /** "<status> <reason phrase>", e.g. "503 Too Many Requests From This Source". */
  answer: string;
  /** The method of its CSeq, upper case ("?" when unreadable). */
  method: string;
  /** The flood datagram it answers (from the Call-ID), undefined when not one of ours. */
  n: number | undefined;
}

/**
 * Reads a response as the sender counts it, from its first line, CSeq and
 * Call-ID only. Undefined for anything that is not a SIP response.
 */
export function readResponse(datagram: Buffer): FloodAnswer | undefined {
  const text = datagram.toString('latin1', 0, Math.min(datagram.length, 2048));
  const m = /^SIP\/2\.0 (\d{3}) ([^\r\n]*)\r\n/.exec(text);
  if (!m) return undefined;
  const cseq = /\r\nCSeq\s*:\s*\d+\s+([A-Za-z]+)/i.exec(text);
  const callId = /\r\n(?:Call-ID|i)\s*:\s*f(\d+)-/i.exec(text);
  return {
    status: Number(m[1]),
    answer: `${m[1]} ${m[2]}`,
    method: cseq?.[1]?.toUpperCase() ?? '?',
    n: callId ? Number(callId[1]) : undefined,
  };
}
