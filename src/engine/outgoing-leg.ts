/**
 * A leg we dial: opens its RTP port pair, offers G.711 (+ telephone-event),
 * places the call and follows it — ringing, early media on a 183 with SDP,
 * the answer (RFC 3264 §7: the answer's codec and ptime run the stream),
 * failure causes, the end. When it answers it joins the conference it was
 * dialled into.
 */
import { createOffer, isSdpError, readAnswer, type RtpStream } from '../media/index.js';
import type { CallOptions, OutgoingCall, UserAgent } from '../sip/ua/index.js';
import type { Conference } from './conference.js';
import { Leg, type LegContext } from './leg.js';
import type { DialOptions } from './types.js';

export class OutgoingLeg extends Leg {
  readonly direction = 'outgoing' as const;
  private call: OutgoingCall | null = null;
  private offer: string | null = null;
  private hangupReason: string | null = null;

  constructor(
    ctx: LegContext,
    private readonly ua: UserAgent,
    address: string,
    private readonly conference: Conference | null,
    private readonly options: DialOptions,
  ) {
    super(ctx, 'dialing', address, options.logger);
  }

  /** Opens the stream and sends the INVITE; every outcome is an event. Called once by the engine. */
  async start(): Promise<void> {
    let stream: RtpStream;
    try {
      stream = await this.ctx.openStream();
    } catch (err) {
      return this.fail({ cause: 'failed', reason: `no RTP port: ${(err as Error).message}` });
    }
    if (this.hangupReason !== null) {
      void stream.close();
      return this.fail({ cause: 'canceled', reason: 'canceled before dialling' });
    }
    this.stream = stream;
    this.watchStream(stream);
    this.offer = createOffer({
      address: this.ctx.mediaAddress,
      port: stream.localPort,
      codecs: this.ctx.codecs,
      telephoneEvent: true,
    });
    const callOptions: CallOptions = { sdp: this.offer };
    if (this.options.callerId) callOptions.from = this.options.callerId;
    if (this.options.ringTimeoutMs) callOptions.ringTimeoutMs = this.options.ringTimeoutMs;
    let call: OutgoingCall;
    try {
      call = this.ua.call(this.address, callOptions);
    } catch (err) {
      // The engine checked the route first; the UA may still be closing.
      return this.fail({ cause: 'unreachable', reason: (err as Error).message });
    }
    this.call = call;
    this.session = call;
    this.answerReinvites(call);
    this.listen(call, 'progress', (p) => this.onProgress(p.status, p.sdp));
    this.listen(call, 'answered', ({ sdp }) => this.onAnswered(sdp));
    this.listen(call, 'failed', (f) => this.fail(f));
    this.listen(call, 'ended', (e) =>
      this.finish(
        e.remote
          ? { by: e.by, reason: e.reason, remote: e.remote }
          : { by: e.by, reason: e.reason },
      ),
    );
  }

  private onProgress(status: number, sdp: string | null): void {
    if (this.over || this.state === 'connected') return;
    if (sdp !== null && this.offer !== null) {
      const media = readAnswer(this.offer, sdp);
      if (!isSdpError(media)) {
        const first = this.state !== 'early-media';
        this.runMedia(media);
        this.state = 'early-media';
        if (first) this.emit('early-media', this.media!);
        return;
      }
      this.log.info({ why: media.message, status }, 'early-media SDP unusable, ignored');
    }
    if (status === 100 || this.state === 'ringing' || this.state === 'early-media') return;
    this.state = 'ringing';
    this.emit('ringing');
  }

  private onAnswered(sdp: string | null): void {
    if (this.over) return;
    const media = sdp !== null && this.offer !== null ? readAnswer(this.offer, sdp) : null;
    if (media === null || isSdpError(media)) {
      // RFC 3264 §5: our INVITE carried the offer, so the 2xx must answer it.
      const why = media === null ? 'the answer has no SDP' : media.message;
      this.call?.hangup('unusable SDP answer');
      return this.fail({ cause: 'failed', reason: `answered with an unusable SDP: ${why}` });
    }
    this.runMedia(media);
    this.state = 'connected';
    this.conference?.add(this, { muted: this.options.muted, role: this.options.role });
    this.emit('answered', this.media!);
  }

  hangup(reason = 'hangup'): void {
    if (this.over) return;
    this.hangupReason = reason;
    // Before the INVITE exists, start() notices hangupReason.
    this.call?.hangup(reason);
  }
}
