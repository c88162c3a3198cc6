/**
 * A leg that called us: ring it, answer it into a conference (RFC 3264 §6:
 * our answer to its offer runs the stream), or reject it. A caller that
 * cancels fails the leg with cause `canceled`.
 */
import { negotiateAnswer, type RtpStream } from '../media/index.js';
import type { IncomingCall } from '../sip/ua/index.js';
import { formatUri, isSipUri, isTelUri, type Uri } from '../sip/message/index.js';
import type { Conference } from './conference.js';
import { Leg, type LegContext } from './leg.js';

export class IncomingLeg extends Leg {
  readonly direction = 'incoming' as const;
  private answering = false;

  constructor(
    ctx: LegContext,
    private readonly call: IncomingCall,
  ) {
    super(ctx, 'offered', formatCaller(call));
    this.session = call;
    this.answerReinvites(call);
    this.listen(call, 'failed', (f) => this.fail(f));
    this.listen(call, 'ended', (e) =>
      this.finish(
        e.remote
          ? { by: e.by, reason: e.reason, remote: e.remote }
          : { by: e.by, reason: e.reason },
      ),
    );
  }

  /** The user part of the caller's From (a number or a SIP user). */
  get callerUser(): string | null {
    return userOf(this.call.caller.uri);
  }

  /** The user part of the Request-URI (the number or user that was called). */
  get calledUser(): string | null {
    return userOf(this.call.invite.uri);
  }

  ring(): void {
    if (this.state !== 'offered') return;
    this.call.ring();
    this.state = 'ringing';
    this.emit('ringing');
  }

  /**
   * Answers and joins `conference`. Resolves false (and rejects the call with
   * 488) when the caller's offer has nothing we can use, or when the call
   * ended meanwhile.
   */
  async answer(
    conference: Conference | null,
    options: { muted?: boolean; role?: string } = {},
  ): Promise<boolean> {
    if (this.over || this.answering) return false;
    this.answering = true;
    const offer = this.call.remoteSdp;
    if (offer === null) {
      // An offerless INVITE would need our offer in the 2xx and the answer in the ACK; not taken here.
      this.refuse(488, 'SDP offer required');
      return false;
    }
    let stream: RtpStream;
    try {
      stream = await this.ctx.openStream();
    } catch (err) {
      this.refuse(503, 'No media port');
      this.log.warn({ err: (err as Error).message }, 'no RTP port for an incoming call');
      return false;
    }
    if (this.over) {
      void stream.close();
      return false;
    }
    const result = negotiateAnswer(offer, {
      address: this.ctx.mediaAddress,
      port: stream.localPort,
      codecs: this.ctx.codecs,
      telephoneEvent: true,
    });
    if ('error' in result) {
      void stream.close();
      this.refuse(488, 'Not Acceptable Here');
      this.log.info({ why: result.error.message }, 'incoming offer refused');
      return false;
    }
    this.stream = stream;
    this.watchStream(stream);
    this.runMedia(result.media);
    this.call.answer(result.answer);
    this.state = 'connected';
    conference?.add(this, options);
    this.emit('answered', this.media!);
    return true;
  }

  /** Rejects the call with a final status (486 busy, 404, 480 ...); the leg fails. */
  reject(status = 486, reason?: string): void {
    if (this.over || this.state === 'connected') return;
    this.refuse(status, reason);
  }

  /** Before the answer a hangup rejects with 480 (RFC 3261 §21.4.18); after it, a BYE. */
  hangup(reason = 'hangup'): void {
    if (this.over) return;
    if (this.state !== 'connected') return this.refuse(480, reason);
    this.call.hangup(reason);
  }

  private refuse(status: number, reason?: string): void {
    // IncomingCall.reject() reports nothing: the leg records its own failure.
    this.call.reject(status, reason);
    this.fail({
      cause: 'failed',
      status,
      reason: `rejected ${status}${reason ? ` (${reason})` : ''}`,
    });
  }
}

function formatCaller(call: IncomingCall): string {
  return formatUri(call.caller.uri);
}

function userOf(uri: Uri): string | null {
  if (isSipUri(uri)) return uri.user;
  if (isTelUri(uri)) return uri.number;
  return null;
}
