/**
 * A signalling-test media endpoint for the stand-alone SIP agent: it answers
 * an SDP offer (RFC 3264, through media/sdp) with the first G.711 codec
 * offered and echoes every RTP packet back to the address the caller
 * signalled, so a person calling the agent from a softphone hears
 * themselves. The conference mixer replaces this in the call server; it
 * lives here only to make the agent useful on its own.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { negotiateAnswer } from '../media/index.js';

export interface EchoSession {
  answer: string;
  close(): void;
}

export type EchoResult = EchoSession | { error: string };

/** Opens the echo socket and answers the offer; `error` (for a 488) when there is nothing we can answer. */
export async function openEchoSession(
  offer: string | null,
  localAddress: string,
): Promise<EchoResult> {
  if (!offer) return { error: 'no SDP offer' };
  const socket: Socket = createSocket(isIP(localAddress) === 6 ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, localAddress, () => resolve());
  });
  socket.on('error', () => undefined);
  const negotiated = negotiateAnswer(offer, {
    address: localAddress,
    port: socket.address().port,
    codecs: ['PCMU', 'PCMA'],
    telephoneEvent: true,
  });
  if ('error' in negotiated) {
    socket.close();
    return { error: negotiated.error.message };
  }
  const { remoteAddress, remotePort } = negotiated.media;
  socket.on('message', (msg, rinfo) => {
    // Only the signalled address may feed the echo (never reflect to a third party).
    if (rinfo.address === remoteAddress) socket.send(msg, remotePort, remoteAddress);
  });
  return { answer: negotiated.answer, close: () => socket.close() };
}
