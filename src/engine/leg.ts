/**
 * A call leg: one SIP call, its RTP stream and its SDP state, seen by the
 * domain as states and events (types.ts). The base holds what both
 * directions share: the stream, answering re-INVITEs (RFC 3264 §8) with our
 * o= session id kept and its version bumped, and telling when the peer
 * holds us (§8.4: it stops receiving — a=sendonly or a=inactive, or the old
 * c=0.0.0.0) and resumes.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import {
  directionFlags,
  isSdpError,
  readAnswer,
  reanswer,
  type CodecName,
  type NegotiatedMedia,
  type PortPool,
  type RtpStream,
  type RtpStreamStats,
  type RtpStreamOptions,
  type MixerPort,
} from '../media/index.js';
import type { CallEvents, Session } from '../sip/ua/index.js';
import type { LegDirection, LegEnd, LegEvents, LegFailure, LegMedia, LegState } from './types.js';

/** The hang-up reason of a leg whose peer went silent (LegEnd.reason, the BYE's Reason). */
export const MEDIA_TIMEOUT = 'media-timeout';

/** What a leg needs from the engine that made it. */
export interface LegContext {
  pool: PortPool;
  /** Our RTP address: bound and written in our SDP. */
  mediaAddress: string;
  codecs: CodecName[];
  logger: Logger;
  openStream(): Promise<RtpStream>;
  /** The leg is over (failed or ended): the engine forgets it. */
  forget(leg: Leg): void;
  streamOptions?: Partial<RtpStreamOptions>;
}

export abstract class Leg extends EventEmitter<LegEvents> {
  readonly id = randomUUID();
  abstract readonly direction: LegDirection;
  state: LegState;
  /** The peer holds us (its last offer did not receive). */
  remoteHeld = false;
  /** How it failed or ended, once it has. */
  failure: LegFailure | null = null;
  end: LegEnd | null = null;
  protected stream: RtpStream | null = null;
  protected session: Session | null = null;
  protected readonly log: Logger;
  private negotiated: NegotiatedMedia | null = null;
  /** Takes off the session what this leg hung on it (listeners, the re-INVITE answerer). */
  private readonly detachers: (() => void)[] = [];

  protected constructor(
    protected readonly ctx: LegContext,
    initial: LegState,
    /** Who the leg is with, for logs. */
    readonly address: string,
    logger: Logger = ctx.logger,
  ) {
    super();
    this.state = initial;
    this.log = logger.child({ leg: this.id });
  }

  /** The SIP Call-ID, once the call exists. */
  get sipCallId(): string | null {
    return this.session?.callId ?? null;
  }

  /** What was negotiated, once media runs. */
  get media(): LegMedia | null {
    const m = this.negotiated;
    return m ? { codec: m.codec.name, ptime: m.ptime } : null;
  }

  /** The leg's audio as the mixer reads and writes it; null before media runs or after the end. */
  get port(): (MixerPort & { resync(): void }) | null {
    return this.state === 'ended' || this.state === 'failed' ? null : this.stream;
  }

  /** RTP statistics (packets, loss, jitter, playout depth), null when there is no stream. */
  stats(): RtpStreamStats | null {
    return this.stream?.stats() ?? null;
  }

  get over(): boolean {
    return this.state === 'ended' || this.state === 'failed';
  }

  /** Ends the leg whatever its state: CANCEL or reject before the answer, BYE after. */
  abstract hangup(reason?: string): void;

  /** Starts or updates the stream with what offer/answer settled. */
  protected runMedia(media: NegotiatedMedia): void {
    const stream = this.stream;
    if (!stream) return;
    const first = this.negotiated === null;
    this.negotiated = media;
    // A peer behind NAT (the UA saw its flow): latch RTP to its SIP source host, and
    // learn it again on every new SDP (RFC 4961 symmetric RTP).
    const flow = this.session?.flow ?? null;
    stream.start(media, flow ? { latch: true, latchHost: flow.mediaHost } : {});
    if (flow && !first) stream.relatch();
    if (!first) this.noteRemoteDirection(media);
    else this.remoteHeld = !directionFlags(media.remoteDirection).recv;
  }

  /**
   * Answers every re-INVITE of the session: an offer gets our answer with
   * the same o= id and the next version (RFC 3264 §8); an offer we cannot
   * take gets 488 (return null); an offerless re-INVITE gets our current
   * SDP as the offer (§14.2; its answer comes in the ACK, 'remote-answer',
   * and runs the stream like any answer: a hold there is a remote hold).
   */
  protected answerReinvites(session: Session): void {
    const keep = session.onReinvite;
    this.detachers.push(() => (session.onReinvite = keep));
    session.onReinvite = (offer) => {
      const previous = session.localSdp;
      if (offer === null || previous === null || !this.stream) return previous;
      const result = reanswer(offer, previous, {
        address: this.ctx.mediaAddress,
        port: this.stream.localPort,
        codecs: this.ctx.codecs,
        telephoneEvent: true,
      });
      if ('error' in result) {
        this.log.info({ why: result.error.message }, 're-INVITE offer refused');
        return null;
      }
      this.runMedia(result.media);
      return result.answer;
    };
    // An offerless re-INVITE got our SDP as the offer; its answer, in the ACK, is what the
    // peer now takes and sends (a hold: sendonly/inactive, §8.4), so the stream follows it.
    this.listen(session, 'remote-answer', ({ offer, answer }) => {
      if (!this.stream || this.over) return;
      const media = readAnswer(offer, answer);
      if (isSdpError(media)) {
        this.log.info({ why: media.message }, 'answer in the ACK unusable, ignored');
        return;
      }
      this.runMedia(media);
    });
  }

  private noteRemoteDirection(media: NegotiatedMedia): void {
    const held = !directionFlags(media.remoteDirection).recv;
    if (held === this.remoteHeld) return;
    this.remoteHeld = held;
    this.log.info({ direction: media.remoteDirection }, held ? 'peer holds us' : 'peer resumed');
    this.emit(held ? 'remote-hold' : 'remote-resume');
  }

  protected fail(failure: LegFailure): void {
    if (this.over) return;
    this.state = 'failed';
    this.failure = failure;
    this.release();
    this.log.info(failure, 'leg failed');
    this.emit('failed', failure);
  }

  protected finish(end: LegEnd): void {
    if (this.over) return;
    this.state = 'ended';
    this.end = end;
    this.release();
    this.log.info(end, 'leg ended');
    this.emit('ended', end);
  }

  /** `session.on(event, listener)`, taken off again when the leg is over. */
  protected listen<K extends keyof CallEvents>(
    session: Session,
    event: K,
    listener: (...args: CallEvents[K]) => void,
  ): void {
    // EventEmitter<CallEvents>'s overloads do not take a generic key; the pair is checked above.
    const on = listener as (...args: unknown[]) => void;
    session.on(event, on as never);
    this.detachers.push(() => session.off(event, on as never));
  }

  /**
   * Closes the stream and lets go of the session. The session outlives the
   * leg — its INVITE transaction lingers 32 s for retransmitted responses
   * (RFC 3261 §17.1.1.2 Timer D, RFC 6026 Timer M) — and anything still
   * hung on it would keep the leg, its stream, jitter buffer and sockets
   * reachable that long: at 100 dials/s that was 3200 ended legs on the heap,
   * copied by every young-generation GC until promoted.
   */
  private release(): void {
    const stream = this.stream;
    if (stream) {
      stream.removeAllListeners('timeout');
      void stream.close();
    }
    for (const detach of this.detachers.splice(0)) detach();
    this.ctx.forget(this);
  }

  /**
   * A connected peer that sent neither RTP nor RTCP for the stream's
   * timeout (the hold timeout while either side holds) is gone without a
   * BYE: we end the leg (BYE with Reason, ended reason 'media-timeout').
   * Before the answer (early media) it is only reported: the ring timeout
   * bounds that part of the call.
   */
  protected watchStream(stream: RtpStream): void {
    stream.on('timeout', (t) => {
      this.emit('media-timeout', t);
      if (this.state === 'connected') this.hangup(MEDIA_TIMEOUT);
    });
  }
}
