/**
 * The caller side of the phone tests, built from the existing stack and not
 * from the call server: a UserAgent (src/sip/ua) places the call with an SDP
 * offer for a real RtpStream (src/media/stream) on a PortPool port; a 20 ms
 * timer writes a 1 kHz tone into the stream and reads what the phone sends
 * out of it, so a test can say what each side hears (Goertzel,
 * src/media/audio, through test/support/phones/audio.ts).
 */
import { systemClock } from '../../src/clock/index.js';
import {
  createOffer,
  holdOffer,
  isSdpError,
  negotiateAnswer,
  readAnswer,
  unholdOffer,
  type NegotiatedMedia,
} from '../../src/media/sdp/index.js';
import { PortPool, RtpStream } from '../../src/media/stream/index.js';
import {
  UserAgent,
  type CallFailure,
  type OutgoingCall,
  type TrunkConfig,
} from '../../src/sip/ua/index.js';
import {
  HEARD_DB,
  LISTEN_WINDOW_MS,
  formatDb,
  isSilent,
  levelDb,
  waitFor,
} from '../support/phones/index.js';
import { FAST_TIMERS, next } from '../e2e/helpers.js';

export const HOST = '127.0.0.1';
/** The tone our side sends. */
export const OUR_TONE_HZ = 1000;
const FRAME = 160;
const FRAME_MS = 20;
const AMPLITUDE = 8231;

export interface Caller {
  ua: UserAgent;
  pool: PortPool;
  close(): Promise<void>;
}

/** A UserAgent on a kernel-chosen UDP port, and RTP ports from a range unlikely to be shared with a parallel test file. */
export async function startCaller(trunks: TrunkConfig[] = []): Promise<Caller> {
  const ua = await UserAgent.create({
    listen: [{ protocol: 'udp', address: HOST, port: 0 }],
    timers: FAST_TIMERS,
    ringTimeoutMs: 10_000,
    trunks,
  });
  const base = 30000 + 2 * Math.floor(Math.random() * 10000);
  const pool = new PortPool({ minPort: base, maxPort: base + 99, bindAddress: HOST });
  return { ua, pool, close: () => ua.close() };
}

interface Heard {
  atMs: number;
  pcm: Int16Array;
}

/** One outgoing call with audio both ways. */
export class AudioCall {
  /** Media negotiated most recently (answer, early media, re-INVITE), or null. */
  media: NegotiatedMedia | null = null;
  private readonly heard: Heard[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly frame = new Int16Array(FRAME);
  private readonly out = new Int16Array(FRAME);
  private phase = 0;
  private closed = false;

  private constructor(
    readonly call: OutgoingCall,
    readonly stream: RtpStream,
    private offer: string,
    private readonly codec: 'PCMU' | 'PCMA',
  ) {
    call.on('progress', ({ sdp }) => {
      if (sdp) this.apply(readAnswer(this.offer, sdp));
    });
    call.on('answered', ({ sdp }) => {
      if (sdp) this.apply(readAnswer(this.offer, sdp));
    });
    // The phone's re-INVITE (hold-us): answer its offer as the media layer would (RFC 3264 §6).
    call.onReinvite = (remoteOffer) => {
      if (!remoteOffer) return null;
      const result = negotiateAnswer(remoteOffer, {
        address: HOST,
        port: stream.localPort,
        codecs: [this.codec],
        telephoneEvent: true,
      });
      if ('error' in result) return null;
      this.media = result.media;
      stream.update(result.media);
      return result.answer;
    };
    this.timer = setInterval(() => this.tick(), FRAME_MS);
  }

  /** Dials `target` (a SIP URI or a phone number) offering `codec` on a fresh RtpStream. */
  static async dial(
    caller: Caller,
    target: string,
    opts: { codec?: 'PCMU' | 'PCMA'; ringTimeoutMs?: number } = {},
  ): Promise<AudioCall> {
    const codec = opts.codec ?? 'PCMU';
    const stream = await RtpStream.open({ pool: caller.pool, localAddress: HOST });
    const offer = createOffer({
      address: HOST,
      port: stream.localPort,
      codecs: [codec],
      telephoneEvent: true,
    });
    try {
      const call = caller.ua.call(target, { sdp: offer, ringTimeoutMs: opts.ringTimeoutMs });
      return new AudioCall(call, stream, offer, codec);
    } catch (err) {
      await stream.close();
      throw err;
    }
  }

  /** Puts the phone on hold (re-INVITE with a sendonly offer, RFC 3264 §8.4). */
  async hold(): Promise<void> {
    await this.renegotiate(holdOffer(this.offer));
  }

  /** Takes the phone off hold (sendrecv offer). */
  async resume(): Promise<void> {
    await this.renegotiate(unholdOffer(this.offer));
  }

  private async renegotiate(next: string | Error): Promise<void> {
    if (next instanceof Error) throw next;
    const answer = await this.call.reinvite(next);
    this.offer = next;
    if (answer) this.apply(readAnswer(next, answer));
  }

  private apply(media: NegotiatedMedia | Error): void {
    if (isSdpError(media) || media instanceof Error) throw media;
    this.media = media;
    this.stream.start(media);
  }

  /** Every 20 ms: one frame of our tone into the stream, one frame of what arrived out of it. */
  private tick(): void {
    if (this.closed) return;
    const step = (2 * Math.PI * OUR_TONE_HZ) / 8000;
    for (let i = 0; i < FRAME; i++) {
      this.frame[i] = Math.round(AMPLITUDE * Math.sin(this.phase));
      this.phase = (this.phase + step) % (2 * Math.PI);
    }
    this.stream.writeFrame(this.frame);
    const now = systemClock.now();
    if (this.stream.readFrame(this.out, now)) this.heard.push({ atMs: now, pcm: this.out.slice() });
  }

  /** What we heard over the last `windowMs`. */
  audio(windowMs = 500): Int16Array {
    const from = systemClock.now() - windowMs;
    const chunks = this.heard.filter((h) => h.atMs >= from);
    const out = new Int16Array(chunks.length * FRAME);
    chunks.forEach((c, i) => out.set(c.pcm, i * FRAME));
    return out;
  }

  levelDb(freqHz: number, windowMs = 500): number {
    return levelDb(this.audio(windowMs), freqHz);
  }

  /** Resolves with the level once we hear `freqHz` over the last 200 ms. */
  waitHearing(freqHz: number, timeoutMs = 5_000): Promise<number> {
    let last = -Infinity;
    return waitFor(
      () => {
        last = this.levelDb(freqHz, LISTEN_WINDOW_MS);
        return last >= HEARD_DB ? last : undefined;
      },
      timeoutMs,
      () => `our side does not hear ${freqHz} Hz: ${formatDb(last)}`,
    );
  }

  /** Resolves once we hear nothing over the last 200 ms. */
  waitSilence(timeoutMs = 5_000): Promise<void> {
    return waitFor(
      () => (isSilent(this.audio(LISTEN_WINDOW_MS)) ? true : undefined),
      timeoutMs,
      () =>
        `our side is not silent: ${formatDb(this.levelDb(OUR_TONE_HZ, LISTEN_WINDOW_MS))} at our own tone`,
    ).then(() => undefined);
  }

  /** Stops the frame timer and closes the stream (the call itself is the test's to end). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.stream.close();
  }
}

/** Resolves with the call's failure; rejects if it is answered instead. */
export function failure(call: OutgoingCall, timeoutMs = 5_000): Promise<CallFailure> {
  return next<CallFailure>(call, 'failed', timeoutMs, ['answered']);
}

/** Resolves when the call is answered; rejects if it fails. */
export function answered(call: OutgoingCall, timeoutMs = 5_000): Promise<{ sdp: string | null }> {
  return next(call, 'answered', timeoutMs, ['failed']);
}

/** Resolves when a connected call ends. */
export function ended(
  call: OutgoingCall,
  timeoutMs = 5_000,
): Promise<{ by: 'local' | 'remote'; reason: string }> {
  return next(call, 'ended', timeoutMs);
}
