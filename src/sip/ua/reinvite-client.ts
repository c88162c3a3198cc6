/**
 * One re-INVITE we send (RFC 3261 §14.1), from the first attempt to its
 * outcome, with a bounded lifetime:
 *
 *   proceeding ──final response──▶ done
 *   proceeding ──491──▶ backoff ──§14.1 random wait──▶ proceeding (a new INVITE)
 *   proceeding ──no final response in `timeoutMs`──▶ canceling (CANCEL, §9.1)
 *   canceling  ──final response (487 or a 2xx that crossed it)──▶ done
 *   canceling  ──none within 64·T1──▶ done: the dialog is ended (BYE)
 *   any ──stop() (the call ended)──▶ done
 *
 * A re-INVITE that nobody answers at all is ended by Timer B in the
 * transaction (§17.1.1.2) and the dialog with it (§12.2.1.2); one that
 * gets only provisional responses would otherwise wait for ever — the
 * transaction has no timer in Proceeding — and every re-INVITE of the
 * peer after it would get 491. The glare retry is transparent: the caller
 * of reinvite() sees only the final outcome.
 */
import type { TimerHandle } from '../../clock/index.js';
import type { SipRequest, SipResponse } from '../message/index.js';
import type { ClientTransaction } from '../transaction/index.js';
import type { UaCore } from './core.js';
import { RequestFailedError } from './request-failed.js';

export type ReinvitePhase = 'proceeding' | 'canceling' | 'backoff' | 'done';

/** §14.1 does not bound the retries; we do, so a peer that always answers 491 cannot keep us busy. */
export const MAX_REINVITE_ATTEMPTS = 5;

export interface AttemptHooks {
  /** The INVITE of this attempt went to the transaction layer. */
  onSent(invite: SipRequest, tx: ClientTransaction | null): void;
  /** A provisional response arrived for it. */
  onProvisional(): void;
}

/** What the client needs from its session. */
export interface ReinviteHost {
  readonly core: UaCore;
  /** We generated the dialog's Call-ID (we sent the initial INVITE): §14.1's longer wait. */
  readonly ownsCallId: boolean;
  /** Sends one INVITE of the exchange; resolves with its final response. */
  sendAttempt(hooks: AttemptHooks): Promise<SipResponse>;
  /** Sends CANCEL for that INVITE (§9.1). */
  cancel(invite: SipRequest, tx: ClientTransaction | null): void;
  /** The peer's own INVITE exchange is running: the retry waits until it is over. */
  busy(): boolean;
  /** Even the CANCEL got no final response: the session is wedged, end it (BYE). */
  giveUp(reason: string): void;
}

/**
 * §14.1: the wait before retrying after a 491, in units of 10 ms — 2.1 to
 * 4 s for the owner of the Call-ID, 0 to 2 s for the other side, so the two
 * retries do not collide again.
 */
export function glareDelayMs(ownsCallId: boolean, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 0.999_999);
  return ownsCallId ? 2100 + Math.floor(r * 191) * 10 : Math.floor(r * 201) * 10;
}

export class ReinviteClient {
  phase: ReinvitePhase = 'proceeding';
  private timer: TimerHandle | undefined;
  private abort: ((err: Error) => void) | null = null;

  constructor(private readonly host: ReinviteHost) {}

  /** Resolves with the final response (2xx or failure); rejects when the exchange was given up. */
  async run(): Promise<SipResponse> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.attempt();
      if (res.status !== 491 || attempt >= MAX_REINVITE_ATTEMPTS) return this.finish(res);
      await this.backoff();
    }
  }

  /** The call ended: stop waiting, drop the timers. */
  stop(reason = 'the call ended'): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.host.core.clock.clearTimeout(this.timer);
    this.abort?.(new RequestFailedError(`re-INVITE abandoned: ${reason}`));
  }

  private finish(res: SipResponse): SipResponse {
    this.phase = 'done';
    this.host.core.clock.clearTimeout(this.timer);
    return res;
  }

  private attempt(): Promise<SipResponse> {
    const { core } = this.host;
    this.phase = 'proceeding';
    let invite: SipRequest | null = null;
    let tx: ClientTransaction | null = null;
    let provisional = false;
    let overdue = false;
    const cancel = (): void => {
      if (!invite || this.phase !== 'proceeding') return;
      this.phase = 'canceling';
      this.host.cancel(invite, tx);
      // §9.1: a CANCEL does not guarantee a final response; after 64·T1 the exchange is dead.
      this.timer = core.clock.setTimeout(() => {
        // The transaction would stay in Proceeding for ever (it has no timer there).
        (tx as ClientTransaction | null)?.terminate();
        this.stop('no final response after CANCEL');
        this.host.giveUp('re-INVITE got no final response');
      }, 64 * core.timers.T1);
    };
    return new Promise<SipResponse>((resolve, reject) => {
      this.abort = reject;
      this.timer = core.clock.setTimeout(() => {
        overdue = true;
        // §9.1: CANCEL only once a provisional response has come; before that Timer B decides.
        if (provisional) cancel();
      }, core.reinviteTimeoutMs);
      this.host
        .sendAttempt({
          onSent: (req, t) => {
            invite = req;
            tx = t;
          },
          onProvisional: () => {
            provisional = true;
            if (overdue) cancel();
          },
        })
        .then(
          (res) => {
            core.clock.clearTimeout(this.timer);
            this.abort = null;
            if (this.phase !== 'done') resolve(res);
          },
          (err: Error) => {
            core.clock.clearTimeout(this.timer);
            this.abort = null;
            if (this.phase !== 'done') reject(err);
          },
        );
    });
  }

  private backoff(): Promise<void> {
    const { core, ownsCallId } = this.host;
    this.phase = 'backoff';
    return new Promise<void>((resolve, reject) => {
      this.abort = reject;
      const wait = (): void => {
        this.timer = core.clock.setTimeout(
          () => {
            // The peer's re-INVITE, sent in the gap the wait leaves for it, is still running.
            if (this.host.busy()) return wait();
            this.abort = null;
            resolve();
          },
          glareDelayMs(ownsCallId, core.random),
        );
      };
      wait();
    });
  }
}
