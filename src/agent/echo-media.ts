/**
 * A signalling-test media endpoint for the stand-alone SIP agent: it answers
 * an SDP offer with the first G.711 codec offered and echoes every RTP packet
 * back to the address the caller signalled, so a person calling the agent
 * from a softphone hears themselves. The conference mixer replaces this in
 * the call server; it lives here only to make the agent useful on its own.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import * as sdpTransform from 'sdp-transform';

export interface EchoSession {
  answer: string;
  close(): void;
}

const G711: Record<number, string> = { 0: 'PCMU', 8: 'PCMA' };

/** Returns null when the offer has no audio stream with PCMU or PCMA (the caller answers 488). */
export async function openEchoSession(
  offer: string | null,
  localAddress: string,
): Promise<EchoSession | null> {
  if (!offer) return null;
  let parsed: sdpTransform.SessionDescription;
  try {
    parsed = sdpTransform.parse(offer);
  } catch {
    return null;
  }
  const audio = parsed.media.find((m) => m.type === 'audio' && m.port > 0);
  if (!audio) return null;
  const pts = String(audio.payloads ?? '')
    .split(' ')
    .map(Number);
  const pt = pts.find((p) => G711[p] !== undefined);
  if (pt === undefined) return null;
  const remoteHost = audio.connection?.ip ?? parsed.connection?.ip;
  if (!remoteHost || !isIP(remoteHost)) return null;
  const family = isIP(localAddress) === 6 ? 'udp6' : 'udp4';
  const socket: Socket = createSocket(family);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, localAddress, () => resolve());
  });
  socket.on('error', () => undefined);
  const remotePort = audio.port;
  socket.on('message', (msg, rinfo) => {
    // Only the signalled address may feed the echo (never reflect to a third party).
    if (rinfo.address === remoteHost) socket.send(msg, remotePort, remoteHost);
  });
  const port = socket.address().port;
  const ipVer = isIP(localAddress) === 6 ? 6 : 4;
  const answer = sdpTransform.write({
    version: 0,
    origin: {
      username: 'partyline',
      sessionId: Date.now(),
      sessionVersion: 1,
      netType: 'IN',
      ipVer,
      address: localAddress,
    },
    name: 'partyline',
    timing: { start: 0, stop: 0 },
    connection: { version: ipVer, ip: localAddress },
    media: [
      {
        type: 'audio',
        port,
        protocol: 'RTP/AVP',
        payloads: String(pt),
        rtp: [{ payload: pt, codec: G711[pt]!, rate: 8000 }],
        direction: 'sendrecv',
        ptime: 20,
      },
    ],
  } as sdpTransform.SessionDescription);
  return { answer, close: () => socket.close() };
}
