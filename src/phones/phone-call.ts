/**
 * One call a virtual phone answered: its RTP stream (src/media/stream) on a
 * port pair of the phone's pool, the SDP answer (RFC 3264 §6) and the
 * answers to the server's re-INVITEs (§8: hold, codec changes), and one
 * 20 ms frame each way per tick — the phone's voice out, what it hears in.
 */
import type { Logger } from 'pino';
import {
  createOffer,
  isSdpError,
  negotiateAnswer,
  readAnswer,
  reanswer,
  RtpStream,
  type AnswerOptions,
  type AudioSource,
  type NegotiatedMedia,
  type PortPool,
  type SdpError,
} from '../media/index.js';
import type { IncomingCall } from '../sip/ua/index.js';

export interface PhoneCallContext {
  pool: PortPool;
  /** The address the phone's SDP gives and its RTP binds. */
  address: string;
  logger: Logger;
}

export class PhoneCall {
  private over = false;

  private constructor(
    readonly sip: IncomingCall,
    private readonly stream: RtpStream,
    private readonly voice: AudioSource,
    private readonly local: AnswerOptions,
    private readonly log: Logger,
  ) {}

  /**
   * Answers `sip` (200 OK with our SDP) and starts its media, or rejects it
   * with 488 when its offer has nothing we can take. Resolves with the call,
   * or null when it was rejected or canceled meanwhile.
   */
  static async answer(
    sip: IncomingCall,
    voice: AudioSource,
    ctx: PhoneCallContext,
  ): Promise<PhoneCall | null> {
    const stream = await RtpStream.open({ pool: ctx.pool, localAddress: ctx.address });
    const local: AnswerOptions = {
      address: ctx.address,
      port: stream.localPort,
      codecs: ['PCMU', 'PCMA'],
      telephoneEvent: true,
    };
    const log = ctx.logger.child({ callId: sip.callId });
    // The caller may have canceled while the stream opened.
    if (sip.state === 'terminated') {
      await stream.close();
      return null;
    }
    const call = new PhoneCall(sip, stream, voice, local, log);
    const offer = sip.remoteSdp;
    if (offer === null) {
      // An offerless INVITE: our offer goes in the 200, its answer comes in the ACK (§13.2.1).
      const ours = createOffer(local);
      sip.once('remote-answer', ({ answer }) => call.run(readAnswer(ours, answer)));
      sip.answer(ours);
    } else {
      const result = negotiateAnswer(offer, local);
      if ('error' in result) {
        log.info({ why: result.error.message }, 'offer refused (488)');
        sip.reject(488, 'Not Acceptable Here');
        await stream.close();
        return null;
      }
      sip.answer(result.answer);
      call.run(result.media);
    }
    sip.onReinvite = (reoffer) => call.answerReinvite(reoffer);
    sip.once('ended', () => void call.close());
    return call;
  }

  get ended(): boolean {
    return this.over;
  }

  /** One tick: our next voice frame goes out; what arrived fills `heard` (silence if nothing did). */
  exchange(voiceFrame: Int16Array, heard: Int16Array, nowMs: number, silent: boolean): void {
    if (this.over) return;
    this.voice.read(voiceFrame);
    if (silent) voiceFrame.fill(0);
    this.stream.writeFrame(voiceFrame);
    this.stream.readFrame(heard, nowMs);
  }

  /** Hangs up (BYE). */
  hangup(): void {
    this.sip.hangup();
  }

  async close(): Promise<void> {
    if (this.over) return;
    this.over = true;
    this.voice.close?.();
    await this.stream.close();
  }

  private answerReinvite(offer: string | null): string | null {
    const previous = this.sip.localSdp;
    // An offerless re-INVITE gets our current SDP as the offer (RFC 3261 §14.2).
    if (offer === null || previous === null) return previous;
    const result = reanswer(offer, previous, this.local);
    if ('error' in result) {
      this.log.info({ why: result.error.message }, 're-INVITE offer refused (488)');
      return null;
    }
    this.stream.update(result.media);
    return result.answer;
  }

  private run(media: NegotiatedMedia | SdpError): void {
    if (isSdpError(media)) {
      this.log.info({ why: media.message }, 'unusable answer in the ACK: hanging up');
      this.sip.hangup();
      return;
    }
    this.stream.start(media);
  }
}
