/**
 * The offer/answer state of one session (RFC 3264 §4, the states named in
 * RFC 6337 §3 and used by SIP.js's SessionDialog): who has an offer
 * outstanding, and which descriptions the two sides last agreed on.
 *
 *   initial ──localOffer──▶ have-local-offer ──remoteAnswer──▶ stable
 *   initial ──remoteOffer─▶ have-remote-offer ─localAnswer───▶ stable
 *   stable  ──localOffer / remoteOffer──▶ have-…-offer ──answer──▶ stable
 *   have-…-offer ──rollback──▶ the state before the offer (§14.1: a
 *   re-INVITE that fails leaves the session as it was)
 *
 * At most one offer is outstanding at a time (RFC 3264 §4, RFC 3261
 * §13.2.1); an offer in any other state is an OfferAnswerError, which the
 * SIP layer turns into 491 or 500 before it gets here. Pure: no timers,
 * nothing sent.
 */
export type OfferAnswerState = 'initial' | 'have-local-offer' | 'have-remote-offer' | 'stable';

export class OfferAnswerError extends Error {
  override readonly name = 'OfferAnswerError';
}

export class OfferAnswer {
  private current: OfferAnswerState = 'initial';
  /** Our description as last agreed (or sent in the first offer/answer still running). */
  private localDescription: string | null = null;
  private remoteDescription: string | null = null;
  private pending: string | null = null;

  get state(): OfferAnswerState {
    return this.current;
  }

  /** True when no offer is outstanding and a new one may be made (§14.1). */
  get stable(): boolean {
    return this.current === 'stable' || this.current === 'initial';
  }

  /** The offer outstanding (ours or theirs), if any. */
  get pendingOffer(): string | null {
    return this.pending;
  }

  /**
   * Our session description: the one last agreed; before the first
   * exchange completes, the offer we made (it is what we send RTP by).
   */
  get local(): string | null {
    if (this.localDescription === null && this.current === 'have-local-offer') return this.pending;
    return this.localDescription;
  }

  /**
   * The peer's session description last agreed; before the first exchange
   * completes, its offer (or its early answer, see provisionalAnswer).
   */
  get remote(): string | null {
    if (this.remoteDescription === null && this.current === 'have-remote-offer')
      return this.pending;
    return this.remoteDescription;
  }

  localOffer(sdp: string): void {
    this.expectStable('make an offer');
    this.current = 'have-local-offer';
    this.pending = sdp;
  }

  remoteOffer(sdp: string): void {
    this.expectStable('take an offer');
    this.current = 'have-remote-offer';
    this.pending = sdp;
  }

  /** The peer answered our offer: both descriptions are now the agreed ones. */
  remoteAnswer(sdp: string): void {
    if (this.current !== 'have-local-offer')
      throw new OfferAnswerError(`an answer arrived in state ${this.current}`);
    this.localDescription = this.pending;
    this.remoteDescription = sdp;
    this.pending = null;
    this.current = 'stable';
  }

  /** We answered the peer's offer. */
  localAnswer(sdp: string): void {
    if (this.current !== 'have-remote-offer')
      throw new OfferAnswerError(`we cannot answer in state ${this.current}`);
    this.remoteDescription = this.pending;
    this.localDescription = sdp;
    this.pending = null;
    this.current = 'stable';
  }

  /**
   * An answer in an unreliable provisional response (early media, RFC 3261
   * §13.2.1): it is used at once but the offer stays outstanding until the
   * 2xx, which must carry the same answer.
   */
  provisionalAnswer(sdp: string): void {
    if (this.current !== 'have-local-offer')
      throw new OfferAnswerError(`an early answer arrived in state ${this.current}`);
    this.remoteDescription = sdp;
  }

  /** The exchange failed (non-2xx, CANCEL, no answer in the ACK): back to the agreed state. */
  rollback(): void {
    if (this.current !== 'have-local-offer' && this.current !== 'have-remote-offer') return;
    this.pending = null;
    this.current =
      this.localDescription !== null || this.remoteDescription !== null ? 'stable' : 'initial';
  }

  private expectStable(what: string): void {
    if (!this.stable) throw new OfferAnswerError(`cannot ${what} in state ${this.current}`);
  }
}
