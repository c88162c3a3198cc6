/**
 * The least SIP that lets SIPp's UAC scenarios reach the media under test:
 * a UDP socket that answers INVITE with a hand-made 200 OK carrying the SDP
 * answer, and BYE with 200 OK. Retransmitted INVITEs get the same answer.
 * The real SIP stack lives in src/sip and is tested elsewhere; these tests
 * are about the media.
 */
import { createSocket, type Socket } from 'node:dgram';
import { HOST } from './helpers.js';

export interface Responder {
  port: number;
  /** Resolves with the first INVITE's SDP offer. */
  offer: Promise<string>;
  /** Resolves when a BYE was answered. */
  bye: Promise<void>;
  close(): Promise<void>;
}

/** `answer` maps the offer SDP to our answer SDP (called once per call). */
export async function startResponder(answer: (offer: string) => string): Promise<Responder> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, HOST, () => resolve()));
  const answers = new Map<string, string>();
  let gotOffer!: (sdp: string) => void;
  let gotBye!: () => void;
  const offer = new Promise<string>((resolve) => (gotOffer = resolve));
  const bye = new Promise<void>((resolve) => (gotBye = resolve));

  socket.on('message', (msg, rinfo) => {
    const text = msg.toString('latin1');
    const [head, body = ''] = text.split('\r\n\r\n');
    const lines = head.split('\r\n');
    const method = lines[0].split(' ')[0];
    const header = (name: string): string[] =>
      lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    const callId = header('Call-ID')[0] ?? '';
    const copied = [
      ...header('Via'),
      ...header('From'),
      ...header('To').map((t) => (t.includes('tag=') ? t : `${t};tag=media-test`)),
      callId,
      ...header('CSeq'),
    ];
    let sdp = '';
    if (method === 'INVITE') {
      if (!answers.has(callId)) {
        answers.set(callId, answer(body));
        gotOffer(body);
      }
      sdp = answers.get(callId) ?? '';
    } else if (method !== 'BYE') {
      return; // ACK and anything else: no response
    }
    const response = [
      'SIP/2.0 200 OK',
      ...copied,
      `Contact: <sip:media-test@${HOST}:${socket.address().port}>`,
      ...(sdp ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(sdp)}`,
      '',
      sdp,
    ].join('\r\n');
    socket.send(response, rinfo.port, rinfo.address);
    if (method === 'BYE') gotBye();
  });

  return {
    port: socket.address().port,
    offer,
    bye,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
