/**
 * One simulated call leg in the load generator: a UDP socket connected to
 * the member's RTP port, sending G.711 µ-law RTP (RFC 3550 §5.1 header,
 * RFC 3551 payload type 0) and counting what the mixer sends back.
 *
 * The socket is connected (connect(2)), so a send passes no address and
 * costs no per-packet address resolution in dgram, and the kernel delivers
 * only the member's own datagrams to it. Two packet buffers are reused in
 * turn: a datagram is handed to the kernel synchronously in the common case,
 * and a buffer is not rewritten until two packet times later.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { SeqTracker } from './seq-tracker.js';

export const FRAME_SAMPLES = 160;
const RTP_HEADER = 12;
const PT_PCMU = 0;
const RTP_VERSION = 2;

/** RFC 5761 §4: RTCP packet types 200–204 land in the second octet of an RTP header. */
function isRtcpType(octet: number): boolean {
  return octet >= 200 && octet <= 204;
}

/** Where the payload starts (RFC 3550 §5.1, §5.3.1: CSRCs, header extension); -1 if truncated. */
export function payloadOffset(packet: Uint8Array): number {
  let at = RTP_HEADER + 4 * (packet[0] & 0x0f);
  if (packet[0] & 0x10) {
    if (packet.length < at + 4) return -1;
    at += 4 + 4 * ((packet[at + 2] << 8) | packet[at + 3]);
  }
  return at <= packet.length ? at : -1;
}

export class GenMember {
  readonly audio = new SeqTracker();
  rtcp = 0;
  other = 0;
  sent = 0;
  sendErrors = 0;
  socketErrors = 0;
  /** Set by a latency probe: sees every audio payload received, with its arrival time. */
  onAudio: ((payload: Buffer, arrivalMs: number) => void) | null = null;

  private readonly packets: [Buffer, Buffer];
  private flip = 0;
  private seq: number;
  private timestamp: number;
  private marker = true;

  private constructor(
    readonly index: number,
    readonly port: number,
    private readonly socket: Socket,
    private readonly ssrc: number,
  ) {
    const r = randomBytes(6);
    // RFC 3550 §5.1: initial sequence number and timestamp are random.
    this.seq = r.readUInt16BE(0);
    this.timestamp = r.readUInt32BE(2);
    this.packets = [this.blank(), this.blank()];
    socket.on('message', this.onMessage);
    socket.on('error', () => this.socketErrors++);
  }

  /** Binds on `host` (any free port) and connects to `targetPort` there. */
  static async open(index: number, host: string, targetPort: number): Promise<GenMember> {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => {
        socket.connect(targetPort, host, () => {
          socket.removeListener('error', reject);
          resolve();
        });
      });
    });
    const ssrc = randomBytes(4).readUInt32BE(0);
    return new GenMember(index, socket.address().port, socket, ssrc);
  }

  /** Sends one 20 ms packet with `payload` (160 µ-law octets). */
  send(payload: Uint8Array): void {
    const p = this.packets[this.flip];
    this.flip ^= 1;
    // Marker on the first packet of the talkspurt (RFC 3551 §4.1).
    p[1] = this.marker ? 0x80 | PT_PCMU : PT_PCMU;
    this.marker = false;
    p.writeUInt16BE(this.seq, 2);
    p.writeUInt32BE(this.timestamp, 4);
    p.set(payload, RTP_HEADER);
    this.seq = (this.seq + 1) & 0xffff;
    this.timestamp = (this.timestamp + FRAME_SAMPLES) >>> 0;
    try {
      this.socket.send(p);
      this.sent++;
    } catch {
      this.sendErrors++;
    }
  }

  close(): Promise<void> {
    this.socket.removeListener('message', this.onMessage);
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  private blank(): Buffer {
    const p = Buffer.alloc(RTP_HEADER + FRAME_SAMPLES);
    p[0] = RTP_VERSION << 6;
    p.writeUInt32BE(this.ssrc, 8);
    return p;
  }

  private readonly onMessage = (msg: Buffer): void => {
    if (msg.length < RTP_HEADER || msg[0] >> 6 !== RTP_VERSION) {
      this.other++;
      return;
    }
    if (isRtcpType(msg[1])) {
      this.rtcp++;
      return;
    }
    if ((msg[1] & 0x7f) !== PT_PCMU) {
      this.other++;
      return;
    }
    this.audio.push(msg.readUInt16BE(2));
    if (this.onAudio !== null) {
      const at = payloadOffset(msg);
      if (at >= 0) this.onAudio(msg.subarray(at), performance.now());
    }
  };
}
