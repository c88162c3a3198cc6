/**
 * An outgoing call (UAC side of an INVITE, RFC 3261 §13.2): sends the
 * INVITE, surfaces provisional responses, ACKs the 2xx (and every
 * retransmission of it), answers digest challenges, cancels on request or
 * on its ring timeout (§9.1), and turns failures into causes.
 *
 * States: calling → proceeding (1xx) → early (1xx with To tag) → confirmed
 * (2xx) → terminated; or calling/proceeding/early → terminated (failed).
 * A 3xx sends the call back to calling towards the next redirect target
 * (redirect.ts), same Call-ID and From tag, next CSeq (§8.1.3.4).
 */
import type { TimerHandle } from '../../clock/index.js';
import {
  Headers,
  SipRequest,
  formatNameAddr,
  formatUri,
  generateCallId,
  generateTag,
  type NameAddr,
  type SipResponse,
} from '../message/index.js';
import type { ClientTransaction, ClientTransactionHandlers } from '../transaction/index.js';
import type { Endpoint } from '../transport/index.js';
import { Dialog, minSeOf, offerSessionTimer } from '../dialog/index.js';
import { DigestClient } from '../auth/index.js';
import { causeOfStatus, type CallFailure, type FailureCause } from './causes.js';
import type { UaCore } from './core.js';
import type { Route } from './routing.js';
import { Session } from './session.js';
import { sendCancel } from './cancel.js';
import { Q850, formatReason, remoteReason, type RemoteReason } from './reason.js';
import { UnwantedAnswers } from './unwanted-answers.js';
import { RedirectTargets, isFollowedRedirect } from './redirect.js';
import { flowOfAnswer } from './nat.js';
import { sdpOf } from './session-body.js';

export interface OutgoingCallOptions {
  /** The From identity: a name-addr we present (caller ID). */
  from: NameAddr;
  route: Route;
  sdp: string | null;
  ringTimeoutMs: number;
  credentials?: { username: string; password: string; realm?: string };
  /** Extra headers for the INVITE (e.g. P-Asserted-Identity). */
  headers?: Record<string, string>;
}

/** RFC 4028 §7.4: 422s we follow per call (each raises the interval; more is a loop). */
const MAX_TOO_SMALL_RETRIES = 2;

export class OutgoingCall extends Session {
  readonly callIdValue = generateCallId();
  readonly fromTag = generateTag();
  /** The final failure, once failed. */
  failure: CallFailure | null = null;

  private invite: SipRequest | null = null;
  private inviteTx: ClientTransaction | null = null;
  private endpoint: Endpoint | null = null;
  /** RFC 3263: the other servers located for the current target, next first. */
  private fallbacks: Endpoint[] = [];
  private provisionalSeen = false;
  /** Why we cancel: set once cancel() or the ring timeout asked for it. */
  private cancelCause: FailureCause | null = null;
  private cancelSent = false;
  private ringTimer: TimerHandle | undefined;
  private cancelGuard: TimerHandle | undefined;
  private cseq = 1;
  protected override readonly ownsCallId = true;
  /** The Session-Expires we offer (RFC 4028 §7.1), raised by a 422 (§7.4). */
  private sessionExpiresS: number;
  private tooSmallRetries = 0;
  /** Where the current INVITE goes: the dialled route, then redirect targets. */
  private route: Route;
  private readonly redirects: RedirectTargets;
  /** Answers we ACKed and do not want (forks; ours once the call is over): re-ACKed only. */
  private readonly unwanted: UnwantedAnswers;
  /**
   * What each INVITE's transaction handlers reach: this call and that INVITE
   * while the call lives, then nothing but `unwanted` — the transactions
   * linger 64·T1 after it (RFC 6026 §8.4).
   */
  private readonly links: InviteLink[] = [];

  constructor(
    core: UaCore,
    private readonly opts: OutgoingCallOptions,
  ) {
    super(core, opts.sdp);
    if (opts.credentials) this.digest = new DigestClient(opts.credentials);
    this.sessionExpiresS = core.sessionTimer.expiresS;
    this.route = opts.route;
    this.redirects = new RedirectTargets(opts.route);
    this.unwanted = new UnwantedAnswers(core, this.callIdValue);
  }

  override get callId(): string {
    return this.callIdValue;
  }

  /** Resolves the destination and sends the first INVITE. Called once by the user agent. */
  async start(): Promise<void> {
    // One ring timeout for the whole call, redirects included.
    this.ringTimer = this.core.clock.setTimeout(
      () => this.onRingTimeout(),
      this.opts.ringTimeoutMs,
    );
    await this.sendTo(this.route);
  }

  /** Resolves a target and sends it an INVITE. */
  private async sendTo(route: Route): Promise<void> {
    let endpoints: Endpoint[];
    try {
      endpoints = await this.core.locate(route.next);
    } catch (err) {
      return this.failOrRedirect('unreachable', (err as Error).message);
    }
    if (this.state === 'terminated') return;
    if (this.cancelCause) return this.fail(this.cancelCause, 'canceled before sending');
    this.endpoint = endpoints[0]!;
    this.fallbacks = endpoints.slice(1);
    let invite: SipRequest;
    try {
      invite = this.buildInvite();
    } catch (err) {
      // No listener for the resolved address's protocol/family: nothing can be sent there.
      return this.failOrRedirect('unreachable', (err as Error).message);
    }
    this.sendInvite(invite);
  }

  /**
   * RFC 3263 §4.3: the server located for this target did not answer (a
   * timeout, a transport error) or is unavailable (503): the same request,
   * with a new branch, to the next server DNS gave. True when one was left.
   */
  private failOver(previous: SipRequest, why: string): boolean {
    if (this.cancelCause || this.state === 'terminated') return false;
    const next = this.fallbacks.shift();
    if (!next) return false;
    this.core.logger.info(
      { callId: this.callId, why, next: `${next.protocol}:${next.address}:${next.port}` },
      'failing over to the next server',
    );
    this.endpoint = next;
    let retry: SipRequest;
    try {
      retry = this.buildInvite();
    } catch {
      return this.failOver(previous, why);
    }
    copyCredentials(previous, retry);
    this.state = 'calling';
    this.dialog = null;
    this.sendInvite(retry);
    return true;
  }

  /**
   * A final failure of the current target: the next redirect target gets
   * the call if there is one (a 6xx ends the search, §16.7 point 5: the
   * callee declined everywhere), else the call fails.
   */
  private failOrRedirect(
    cause: FailureCause,
    reason: string,
    status?: number,
    remote?: RemoteReason,
  ): void {
    const next = this.cancelCause || (status ?? 0) >= 600 ? undefined : this.redirects.next();
    if (!next) return this.fail(cause, reason, status, remote);
    this.core.logger.debug(
      { callId: this.callId, after: reason, target: formatUri(next.requestUri) },
      'following redirect',
    );
    // Credentials go to the trunk or host they were given for, never to a host a redirect chose.
    const sameAuthority = next.trunk
      ? next.trunk === this.opts.route.trunk
      : !this.opts.route.trunk && next.next.host === this.opts.route.next.host;
    this.digest =
      sameAuthority && this.opts.credentials ? new DigestClient(this.opts.credentials) : null;
    this.route = next;
    this.cseq += 1;
    // The previous target's early dialog (if any) is gone with its final response.
    this.dialog = null;
    this.state = 'calling';
    this.invite = null;
    this.inviteTx = null;
    this.provisionalSeen = false;
    void this.sendTo(next);
  }

  private buildInvite(): SipRequest {
    const { from, sdp } = this.opts;
    const route = this.route;
    // The To of the call stays the dialled one across redirects (§8.1.3.4 via §16.5: only the Request-URI changes).
    const to = this.opts.route.requestUri;
    const h = new Headers();
    h.append('Max-Forwards', '70');
    const fromParams = new Map(from.params);
    fromParams.set('tag', this.fromTag);
    h.append('From', formatNameAddr({ ...from, params: fromParams }));
    h.append('To', formatNameAddr({ displayName: null, uri: to, params: new Map() }));
    h.append('Call-ID', this.callIdValue);
    h.append('CSeq', `${this.cseq} INVITE`);
    if (route.proxyRoute) h.append('Route', route.proxyRoute);
    h.append('Contact', formatNameAddr(this.core.contactFor(this.endpoint ?? route.next)));
    h.append('Allow', this.core.allow);
    h.append('User-Agent', this.core.userAgent);
    for (const [k, v] of Object.entries(this.opts.headers ?? {})) h.append(k, v);
    if (sdp !== null) h.append('Content-Type', 'application/sdp');
    const invite = new SipRequest(
      'INVITE',
      route.requestUri,
      h,
      sdp !== null ? Buffer.from(sdp) : undefined,
    );
    // RFC 4028 §7.1: offer a session timer; the UAS picks the refresher.
    offerSessionTimer(invite, this.sessionExpiresS, this.minSeS, null);
    return invite;
  }

  private sendInvite(invite: SipRequest): void {
    this.invite = invite;
    this.provisionalSeen = false;
    this.cancelSent = false;
    const link: InviteLink = { call: this, invite };
    this.links.push(link);
    this.core
      .sendRequest(invite, this.endpoint!, OutgoingCall.handlersOf(link, this.unwanted))
      .then((tx) => {
        if (invite === this.invite) this.inviteTx = tx;
      })
      .catch((err: Error) => this.fail('unreachable', err.message));
  }

  /**
   * The handlers of one INVITE's transaction. Static, so that its closures
   * hold the link and not the call (see `links`).
   */
  private static handlersOf(
    link: InviteLink,
    unwanted: UnwantedAnswers,
  ): ClientTransactionHandlers {
    return {
      onResponse: (res) => {
        if (link.call) link.call.onInviteResponse(link.invite!, res);
        else if (res.status >= 200 && res.status < 300) unwanted.answer(res);
      },
      onTimeout: () => link.call?.onInviteTimeout(link.invite!),
      onTransportError: (err) => link.call?.onInviteTransportError(link.invite!, err),
    };
  }

  private onInviteTimeout(invite: SipRequest): void {
    if (invite !== this.invite) return;
    // Timer B (§17.1.1.2): nobody answered at all — not even a 100, so nothing
    // ever rang. A ring timeout that ran out meanwhile does not make it "no answer".
    if (this.cancelCause)
      return this.fail(
        this.cancelCause === 'canceled' ? 'canceled' : 'unreachable',
        'No response (Timer B)',
      );
    if (this.failOver(invite, 'no response')) return;
    this.failOrRedirect('unreachable', 'No response (Timer B)');
  }

  private onInviteTransportError(invite: SipRequest, err: Error): void {
    if (invite !== this.invite) return;
    if (this.failOver(invite, err.message)) return;
    this.failOrRedirect('unreachable', `Transport error: ${err.message}`);
  }

  private onInviteResponse(invite: SipRequest, res: SipResponse): void {
    if (res.status < 200) return this.onProvisional(invite, res);
    if (res.status < 300) return this.onSuccess(invite, res);
    if (invite !== this.invite || this.state === 'terminated') return;
    if ((res.status === 401 || res.status === 407) && this.digest && !this.cancelCause) {
      // §22.2: same Call-ID, From tag; new CSeq and branch (the ACK for the 401 came from the transaction).
      this.cseq += 1;
      const retry = this.buildInvite();
      copyCredentials(invite, retry);
      if (this.digest.authorize(retry, res)) return this.sendInvite(retry);
    }
    const minSe = res.status === 422 ? minSeOf(res) : null;
    if (
      minSe !== null &&
      minSe > this.sessionExpiresS &&
      this.tooSmallRetries < MAX_TOO_SMALL_RETRIES &&
      !this.cancelCause
    ) {
      // RFC 4028 §7.4: again with the peer's Min-SE as both our interval and our Min-SE.
      this.tooSmallRetries += 1;
      this.sessionExpiresS = minSe;
      this.minSeS = Math.max(this.minSeS, minSe);
      this.cseq += 1;
      const retry = this.buildInvite();
      copyCredentials(invite, retry);
      return this.sendInvite(retry);
    }
    if (res.status === 503 && this.failOver(invite, '503')) return;
    const remote = remoteReason(res);
    if (isFollowedRedirect(res.status) && !this.cancelCause) {
      const skipped = this.redirects.add(res, (uri) => this.core.routeRedirect(uri, this.route));
      if (skipped.length)
        this.core.logger.info({ callId: this.callId, skipped }, 'redirect targets not followed');
    }
    const cause =
      res.status === 487 && this.cancelCause ? this.cancelCause : causeOfStatus(res.status);
    this.failOrRedirect(cause, `${res.status} ${res.reason}`, res.status, remote);
  }

  private onProvisional(invite: SipRequest, res: SipResponse): void {
    if (invite !== this.invite || this.state === 'terminated' || this.state === 'confirmed') return;
    this.provisionalSeen = true;
    if (this.cancelCause && !this.cancelSent) return this.sendCancel();
    if (res.status === 100) return;
    const toTag = res.to().params.get('tag');
    if (toTag && !this.dialog) {
      // §12.1.2: a 1xx with a To tag creates an early dialog.
      this.dialog = Dialog.asUac(invite, res);
    }
    this.state = this.dialog ? 'early' : 'proceeding';
    const sdp = sdpOf(res);
    // §13.2.1: an answer in an unreliable 1xx is early media; the offer stays open until the 2xx.
    if (sdp && this.offerAnswer.state === 'have-local-offer')
      this.offerAnswer.provisionalAnswer(sdp);
    this.emit('progress', { status: res.status, reason: res.reason, sdp });
  }

  private onSuccess(invite: SipRequest, res: SipResponse): void {
    const toTag = String(res.to().params.get('tag') ?? '');
    if (this.dialog && this.dialog.remoteTag === toTag && this.dialog.state !== 'early') {
      // A retransmission of the 2xx we already took: ACK it again, with the same ACK
      // (§13.2.2.4), and nothing more. Once the call is over, UnwantedAnswers does this.
      return this.ackInvite(invite);
    }
    // A retransmission of a fork's 2xx we already ACKed and BYEd: only the ACK again (paced).
    if (this.unwanted.retransmitted(res)) return;
    if (this.state === 'confirmed' || this.state === 'terminated') {
      // §13.2.2.4: a 2xx from another fork (or after we gave up): ACK it, then BYE it.
      return this.unwanted.drop(Dialog.asUac(invite, res), invite);
    }
    this.clearTimers();
    const dialog = Dialog.asUac(invite, res);
    this.dialog = dialog;
    if (this.endpoint) this.flow = flowOfAnswer(res, this.endpoint, this.core.nat);
    this.state = 'confirmed';
    this.core.addSession(dialog.id, this);
    this.ackInvite(invite);
    if (this.cancelCause) {
      // The 2xx crossed our CANCEL (§9.1): the call is up, so end it properly.
      this.sendBye(this.cancelCause === 'no-answer' ? 'no answer' : 'canceled');
      this.state = 'terminated';
      this.core.removeSession(dialog.id);
      return this.fail(this.cancelCause, 'answered after cancel');
    }
    const oa = this.offerAnswer;
    const answer = sdpOf(res) ?? oa.remote;
    if (oa.state === 'have-local-offer' && answer !== null) oa.remoteAnswer(answer);
    this.notePeerAllow(res);
    this.refreshedByUs(res);
    this.emit('answered', { sdp: this.remoteSdp });
  }

  /**
   * Cancels a call that has not been answered. §9.1: a CANCEL may only be
   * sent once a provisional response has arrived; before that we wait for
   * one (or for Timer B).
   */
  cancel(cause: FailureCause = 'canceled'): void {
    if (this.state === 'confirmed') return this.hangup('canceled');
    if (this.state === 'terminated' || this.cancelCause) return;
    this.cancelCause = cause;
    this.clearRingTimer();
    if (!this.invite) return; // start() will notice
    if (this.provisionalSeen) this.sendCancel();
  }

  /** Ends the call in any state: CANCEL before the answer, BYE after. */
  override hangup(reason = 'hangup'): void {
    if (this.state === 'confirmed') return super.hangup(reason);
    this.cancel('canceled');
  }

  /** Not answered and no final response in time (see Session.abandon): fail as canceled. */
  override abandon(reason: string): void {
    if (this.state === 'confirmed' || this.state === 'terminated') return super.abandon(reason);
    this.inviteTx?.terminate();
    this.fail(this.cancelCause ?? 'canceled', reason);
  }

  private onRingTimeout(): void {
    this.ringTimer = undefined;
    if (this.state === 'confirmed' || this.state === 'terminated') return;
    this.cancel('no-answer');
  }

  /** §9.1: CANCEL copies Request-URI, Call-ID, To, From, CSeq number and the top Via of the INVITE. */
  private sendCancel(): void {
    const invite = this.invite!;
    this.cancelSent = true;
    // RFC 3326: why we give up — the ring timeout is "no answer" (Q.850 19), anything else normal clearing.
    const reason = formatReason(
      this.cancelCause === 'no-answer' ? Q850.noAnswer : Q850.normalClearing,
    );
    sendCancel(this.core, invite, this.inviteTx, this.endpoint!, reason);
    // §9.1: if no final response to the INVITE arrives within 64·T1 of the CANCEL, give up on it.
    this.cancelGuard = this.core.clock.setTimeout(() => {
      this.inviteTx?.terminate();
      this.fail(this.cancelCause ?? 'canceled', 'no final response after CANCEL');
    }, 64 * this.core.timers.T1);
  }

  private fail(cause: FailureCause, reason: string, status?: number, remote?: RemoteReason): void {
    if (this.state === 'terminated' && this.failure) return;
    const wasConnected = this.state === 'confirmed';
    const failure: CallFailure =
      status === undefined ? { cause, reason } : { cause, status, reason };
    if (remote) failure.remote = remote;
    this.failure = failure;
    this.clearTimers();
    this.state = 'terminated';
    if (this.dialog) this.core.removeSession(this.dialog.id);
    this.markFinished();
    if (!wasConnected) this.emit('failed', this.failure);
  }

  private clearRingTimer(): void {
    this.core.clock.clearTimeout(this.ringTimer);
    this.ringTimer = undefined;
  }

  private clearTimers(): void {
    this.clearRingTimer();
    this.core.clock.clearTimeout(this.cancelGuard);
    this.cancelGuard = undefined;
  }

  protected override cleanup(): void {
    this.clearTimers();
  }

  /**
   * Over: the INVITE transactions, lingering, reach only `unwanted` from now
   * on, which keeps the ACK of our answer to re-send it for retransmissions.
   */
  protected override markFinished(): void {
    super.markFinished();
    const invite = this.invite;
    if (this.links.length === 0 || !invite) return;
    for (const link of this.links.splice(0)) {
      link.call = null;
      link.invite = null;
    }
    const dialog = this.dialog;
    const ack = dialog && this.sentAck(invite.cseq().seq);
    if (!dialog || !ack) return this.unwanted.retire(invite);
    try {
      this.unwanted.retire(invite, { toTag: dialog.remoteTag, ack, next: this.nextHop() });
    } catch (err) {
      this.core.logger.debug(
        { err: (err as Error).message, callId: this.callId },
        'answered dialog has no usable target',
      );
      this.unwanted.retire(invite);
    }
  }

  /** Reserved for tests and diagnostics: the last INVITE sent. */
  get lastInvite(): SipRequest | null {
    return this.invite;
  }
}

function copyCredentials(from: SipRequest, to: SipRequest): void {
  for (const name of ['Authorization', 'Proxy-Authorization']) {
    for (const v of from.headers.lines(name)) to.headers.append(name, v);
  }
}

/** See OutgoingCall.links. */
interface InviteLink {
  call: OutgoingCall | null;
  invite: SipRequest | null;
}
