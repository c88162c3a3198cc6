import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import { systemClock, type Clock, type TimerHandle } from '../clock/index.js';
import type { DueDelivery, Store } from '../store/index.js';
import { DEFAULT_BACKOFF, retryDelay, type BackoffPolicy } from './backoff.js';
import { callbackPayload } from './body.js';
import { postJson, type PostResult } from './http-post.js';
import { boundedLookup } from './lookup.js';
import { CALLBACK_HEADERS, newNonce, signCallback } from './signature.js';
import { isoFromMs, microsFromIso } from './time.js';
import { parseCallbackUrl } from './url.js';

/** What the dispatcher needs of the store. */
export type CallbackStore = Pick<
  Store,
  | 'dueDeliveries'
  | 'nextDeliveryAt'
  | 'markDelivered'
  | 'markAttemptFailed'
  | 'giveUpDelivery'
  | 'getAccount'
>;

export interface CallbackDispatcherOptions {
  store: CallbackStore;
  /** Timers (back-off wake-ups, request timeouts, polling). Default systemClock. */
  clock?: Clock;
  /**
   * Wall time in ms since the epoch, for the times stored in the outbox and
   * the signature timestamp. Default: the clock's time on the wall-clock
   * scale (performance.timeOrigin + now for systemClock), so a ManualClock
   * moves it too.
   */
  now?: () => number;
  logger?: Logger;
  /** Requests in flight at once, over all receivers. Default 16. */
  concurrency?: number;
  /** Requests in flight at once to one URL, so one slow receiver cannot take every slot. Default 4. */
  perUrlConcurrency?: number;
  /** Attempts before a delivery is given up (the first one included). Default 10. */
  maxAttempts?: number;
  /** Back-off between attempts; default 1 s doubling to 5 min, 25 % jitter. */
  backoff?: Partial<BackoffPolicy>;
  /** For jitter; default Math.random. */
  random?: () => number;
  /** Per request, to the status line. Default 5000. */
  requestTimeoutMs?: number;
  /** Looks for due deliveries at least this often even if never woken. Default 2000. */
  pollIntervalMs?: number;
  /** getaddrinfo calls at once (they share libuv's thread pool). Default 2. */
  maxDnsLookups?: number;
  /** User-Agent header. Default `Partyline-Callbacks/1`. */
  userAgent?: string;
}

/** What happened to one attempt, as emitted once the store has recorded it. */
export interface DeliveryOutcome {
  deliveryId: string;
  callId: string;
  seq: number;
  url: string;
  /** Attempts made so far, this one included (0 when given up without sending). */
  attempts: number;
  /** The receiver's status, when it answered. */
  status?: number;
  /** Why it failed. */
  error?: string;
  /** For `retry`: when the next attempt is due. */
  nextAttemptAt?: string;
}

export interface CallbackDispatcherEvents {
  delivered: [DeliveryOutcome];
  retry: [DeliveryOutcome];
  'gave-up': [DeliveryOutcome];
}

export interface CallbackDispatcherStats {
  running: boolean;
  inFlight: number;
  delivered: number;
  retried: number;
  gaveUp: number;
}

/** What an attempt ended in, to emit once its slot is free; undefined: nothing to tell. */
type Outcome = [keyof CallbackDispatcherEvents, DeliveryOutcome] | undefined;

interface InFlight {
  deliveryId: string;
  url: string;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Wall time driven by `clock`: for systemClock the time stamps of
 * mpc/isoNow use (performance.timeOrigin + performance.now()); any other
 * clock is anchored to that scale once and moves only with the clock.
 */
function wallTime(clock: Clock): () => number {
  if (clock === systemClock) return () => performance.timeOrigin + performance.now();
  const base = performance.timeOrigin + performance.now() - clock.now();
  return () => base + clock.now();
}

const positive = (value: number | undefined, fallback: number): number =>
  value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;

/**
 * Delivers the outbox (issue 9 §4): POSTs each due delivery, signed, to its
 * URL, and records the outcome — 2xx delivered; any other status, a
 * connection failure or the timeout is a failed attempt, retried with
 * exponential back-off until `maxAttempts`, then given up.
 *
 * Nothing waits on it: the domain only commits rows (in the same
 * transaction as their events) and calls wake(). Order is kept per call —
 * a call's next delivery is sent only once the previous one is delivered or
 * given up — while calls are independent: at most `perUrlConcurrency` of
 * `concurrency` slots go to one URL, each request is bounded by the
 * timeout, and DNS lookups are bounded too, so a slow or dead receiver
 * delays only its own calls' callbacks.
 *
 * Pending deliveries are rows, so they survive a restart; a request cut
 * short by stop() is not counted and is sent again by the next dispatcher
 * (at-least-once: receivers de-duplicate by event id).
 *
 * Emits `delivered`, `retry` and `gave-up` once the store has recorded
 * them and the request's slot is free.
 * Never throws out of wake() or a timer; store failures are logged and
 * retried on the next poll.
 */
export class CallbackDispatcher extends EventEmitter<CallbackDispatcherEvents> {
  readonly #store: CallbackStore;
  readonly #clock: Clock;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #concurrency: number;
  readonly #perUrl: number;
  readonly #maxAttempts: number;
  readonly #backoff: BackoffPolicy;
  readonly #random: () => number;
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  readonly #userAgent: string;
  readonly #lookup: ReturnType<typeof boundedLookup>;

  #state: 'new' | 'running' | 'stopped' = 'new';
  /** By call id: a call has at most one delivery in flight. */
  readonly #inFlight = new Map<string, InFlight>();
  readonly #inFlightByUrl = new Map<string, number>();
  /** Calls whose outcome could not be recorded: left alone until then (wall ms). */
  readonly #heldUntil = new Map<string, number>();
  #pumping = false;
  #again = false;
  #pumpDone: Promise<void> = Promise.resolve();
  #wakeQueued = false;
  #timer: TimerHandle | undefined;
  readonly #counts = { delivered: 0, retried: 0, gaveUp: 0 };

  constructor(options: CallbackDispatcherOptions) {
    super();
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#now = options.now ?? wallTime(this.#clock);
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'callbacks' });
    this.#concurrency = positive(options.concurrency, 16);
    this.#perUrl = Math.min(this.#concurrency, positive(options.perUrlConcurrency, 4));
    this.#maxAttempts = positive(options.maxAttempts, 10);
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#random = options.random ?? Math.random;
    this.#timeoutMs = positive(options.requestTimeoutMs, 5000);
    this.#pollMs = positive(options.pollIntervalMs, 2000);
    this.#userAgent = options.userAgent ?? 'Partyline-Callbacks/1';
    this.#lookup = boundedLookup(options.maxDnsLookups ?? 2);
  }

  /** Begins delivering (what is already due goes out at once). A dispatcher runs once. */
  start(): void {
    if (this.#state === 'stopped') throw new Error('callback dispatcher: stopped; make a new one');
    if (this.#state === 'running') return;
    this.#state = 'running';
    this.#log.debug('callback dispatcher started');
    this.wake();
  }

  /**
   * Something was committed: look for due deliveries soon (in a microtask,
   * never inside the caller's turn). Cheap and safe to call at any time,
   * as often as wanted; a no-op unless running.
   */
  wake(): void {
    if (this.#state !== 'running' || this.#wakeQueued) return;
    this.#wakeQueued = true;
    queueMicrotask(() => {
      this.#wakeQueued = false;
      this.#kick();
    });
  }

  /**
   * Stops: no new attempts; requests in flight are cut short and not
   * counted (their deliveries stay pending for the next dispatcher).
   * Resolves once nothing of it touches the store any more, so the store
   * may be closed next.
   */
  async stop(): Promise<void> {
    if (this.#state !== 'stopped') {
      this.#state = 'stopped';
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
      for (const f of this.#inFlight.values()) f.controller.abort();
    }
    await this.#pumpDone;
    await Promise.all([...this.#inFlight.values()].map((f) => f.done));
  }

  /**
   * Resolves once the dispatcher has acted on every wake so far: no look at
   * the outbox running or queued, its next timer armed. Requests may still
   * be in flight (they are outside). For tests that drive a ManualClock:
   * advance it only after this, or the timer may not be armed yet.
   */
  async settled(): Promise<void> {
    for (;;) {
      if (this.#wakeQueued) await new Promise<void>((resolve) => queueMicrotask(resolve));
      else if (this.#pumping) await this.#pumpDone;
      else return;
    }
  }

  stats(): CallbackDispatcherStats {
    return {
      running: this.#state === 'running',
      inFlight: this.#inFlight.size,
      ...this.#counts,
    };
  }

  /** One pump at a time; a kick during one makes it run again after. */
  #kick(): void {
    if (this.#state !== 'running') return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    this.#again = false;
    this.#pumpDone = this.#pump().finally(() => {
      this.#pumping = false;
      if (this.#again) this.#kick();
    });
  }

  async #pump(): Promise<void> {
    try {
      await this.#fill();
      await this.#schedule();
    } catch (err) {
      this.#log.warn({ err }, 'callbacks: cannot read the outbox; trying again shortly');
      this.#arm(this.#pollMs);
    }
  }

  /** Starts due deliveries until the slots are full or nothing startable is due. */
  async #fill(): Promise<void> {
    const skipUrls = new Set<string>();
    for (const [url, n] of this.#inFlightByUrl) if (n >= this.#perUrl) skipUrls.add(url);
    while (this.#state === 'running' && this.#inFlight.size < this.#concurrency) {
      const nowMs = this.#now();
      const due = await this.#store.dueDeliveries({
        now: isoFromMs(nowMs),
        limit: this.#concurrency - this.#inFlight.size,
        skipCalls: [...this.#inFlight.keys(), ...this.#held(nowMs)],
        skipUrls: [...skipUrls],
      });
      let progressed = false;
      for (const d of due) {
        if (this.#state !== 'running' || this.#inFlight.size >= this.#concurrency) return;
        const { callId, url } = d.delivery;
        if (this.#inFlight.has(callId)) continue;
        if ((this.#inFlightByUrl.get(url) ?? 0) >= this.#perUrl) {
          skipUrls.add(url);
          progressed = true;
          continue;
        }
        this.#begin(d);
        progressed = true;
        if ((this.#inFlightByUrl.get(url) ?? 0) >= this.#perUrl) skipUrls.add(url);
      }
      if (due.length === 0 || !progressed) return;
    }
  }

  /** The calls held back after a failure to record, expired ones dropped. */
  #held(nowMs: number): string[] {
    for (const [callId, until] of this.#heldUntil) {
      if (until <= nowMs) this.#heldUntil.delete(callId);
    }
    return [...this.#heldUntil.keys()];
  }

  /** Wakes up for the next delivery that becomes due, or the poll, whichever is first. */
  async #schedule(): Promise<void> {
    const nowMs = this.#now();
    let delay = this.#pollMs;
    const next = await this.#store.nextDeliveryAt(isoFromMs(nowMs));
    if (next !== null) {
      // In whole microseconds, as stored: due exactly when the timer fires, never a hair early.
      const wait = (microsFromIso(next) - Math.floor(nowMs * 1000)) / 1000;
      if (!Number.isNaN(wait)) delay = Math.min(delay, Math.max(1, Math.ceil(wait)));
    }
    if (this.#state === 'running') this.#arm(delay);
  }

  #arm(delayMs: number): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#kick();
    }, delayMs);
  }

  #begin(due: DueDelivery): void {
    const { callId, url, deliveryId } = due.delivery;
    const controller = new AbortController();
    const entry: InFlight = { deliveryId, url, controller, done: Promise.resolve() };
    this.#inFlight.set(callId, entry);
    this.#inFlightByUrl.set(url, (this.#inFlightByUrl.get(url) ?? 0) + 1);
    entry.done = this.#attempt(due, controller.signal)
      .catch((err: unknown): Outcome => {
        this.#log.error({ err, delivery_id: deliveryId, call_id: callId }, 'callbacks: attempt');
        return undefined;
      })
      .then((outcome) => {
        this.#inFlight.delete(callId);
        const n = (this.#inFlightByUrl.get(url) ?? 1) - 1;
        if (n > 0) this.#inFlightByUrl.set(url, n);
        else this.#inFlightByUrl.delete(url);
        // Observers see the slot already free (stats() agrees with what they are told).
        if (outcome) this.#emitSafely(outcome[0], outcome[1]);
        this.wake();
      });
  }

  #emitSafely(name: keyof CallbackDispatcherEvents, outcome: DeliveryOutcome): void {
    try {
      this.emit(name, outcome);
    } catch (err) {
      this.#log.error({ err, event: name }, 'callbacks: a listener threw');
    }
  }

  async #attempt(due: DueDelivery, signal: AbortSignal): Promise<Outcome> {
    const { delivery } = due;
    const url = parseCallbackUrl(delivery.url);
    if (typeof url === 'string') return this.#giveUp(due, `${url}; not sent`, false);
    const account = await this.#store.getAccount(delivery.authId);
    if (!account?.signingKey) {
      const why = account
        ? `account ${delivery.authId} has no callback signing key (it was created before ` +
          'Partyline signed callbacks, and only a hash of its token is kept); not sent'
        : `account ${delivery.authId} does not exist; not sent`;
      return this.#giveUp(due, why, false);
    }
    if (signal.aborted) return undefined;

    const body = Buffer.from(JSON.stringify(callbackPayload(due)), 'utf8');
    const nonce = newNonce();
    const timestamp = String(Math.floor(this.#now() / 1000));
    const signature = signCallback(
      { url: delivery.url, nonce, timestamp, body },
      account.signingKey,
    );
    const result = await postJson(
      url,
      {
        'Content-Type': 'application/json',
        'User-Agent': this.#userAgent,
        [CALLBACK_HEADERS.signature]: signature,
        [CALLBACK_HEADERS.nonce]: nonce,
        [CALLBACK_HEADERS.timestamp]: timestamp,
        [CALLBACK_HEADERS.eventId]: delivery.deliveryId,
      },
      body,
      { clock: this.#clock, timeoutMs: this.#timeoutMs, signal, lookup: this.#lookup },
    );
    if (result.kind === 'aborted') return undefined;
    return this.#settle(due, result);
  }

  async #settle(
    due: DueDelivery,
    result: Exclude<PostResult, { kind: 'aborted' }>,
  ): Promise<Outcome> {
    const { delivery } = due;
    const nowMs = this.#now();
    const at = isoFromMs(nowMs);
    const attempts = delivery.attempts + 1;
    const outcome: DeliveryOutcome = {
      deliveryId: delivery.deliveryId,
      callId: delivery.callId,
      seq: delivery.seq,
      url: delivery.url,
      attempts,
    };
    const log = this.#log.child({
      delivery_id: delivery.deliveryId,
      call_id: delivery.callId,
      seq: delivery.seq,
      url: delivery.url,
      attempts,
    });
    if (result.kind === 'answered') outcome.status = result.status;
    if (result.kind === 'answered' && result.status >= 200 && result.status < 300) {
      if (
        await this.#record(delivery.callId, () =>
          this.#store.markDelivered(delivery.deliveryId, at),
        )
      ) {
        this.#counts.delivered++;
        log.debug({ status: result.status }, 'callback delivered');
        return ['delivered', outcome];
      }
      return undefined;
    }
    const error =
      result.kind === 'failed'
        ? result.error
        : result.status >= 300 && result.status < 400
          ? `HTTP ${result.status} (redirects are not followed)`
          : `HTTP ${result.status}`;
    if (attempts >= this.#maxAttempts) {
      return this.#giveUp(due, `${error}; gave up after ${attempts} attempts`, true, outcome);
    }
    const nextAttemptAt = isoFromMs(nowMs + retryDelay(attempts, this.#backoff, this.#random));
    const recorded = await this.#record(delivery.callId, () =>
      this.#store.markAttemptFailed(delivery.deliveryId, { at, error, nextAttemptAt }),
    );
    if (!recorded) return undefined;
    this.#counts.retried++;
    log.info({ error, next_attempt_at: nextAttemptAt }, 'callback failed; will retry');
    return ['retry', { ...outcome, error, nextAttemptAt }];
  }

  async #giveUp(
    due: DueDelivery,
    error: string,
    attempted: boolean,
    outcome?: DeliveryOutcome,
  ): Promise<Outcome> {
    const { delivery } = due;
    const at = isoFromMs(this.#now());
    const recorded = await this.#record(delivery.callId, () =>
      this.#store.giveUpDelivery(delivery.deliveryId, { at, error, attempted }),
    );
    if (!recorded) return undefined;
    this.#counts.gaveUp++;
    const attempts = delivery.attempts + (attempted ? 1 : 0);
    this.#log.warn(
      {
        delivery_id: delivery.deliveryId,
        call_id: delivery.callId,
        seq: delivery.seq,
        url: delivery.url,
        attempts,
        error,
      },
      'callback given up: %s',
      error,
    );
    return [
      'gave-up',
      {
        deliveryId: delivery.deliveryId,
        callId: delivery.callId,
        seq: delivery.seq,
        url: delivery.url,
        ...outcome,
        attempts,
        error,
      },
    ];
  }

  /**
   * Runs a store update of an outcome. On failure the call is left alone
   * for a poll interval (its delivery stays pending and is sent again then:
   * at-least-once, never a hot loop against a failing store).
   */
  async #record(callId: string, update: () => Promise<boolean>): Promise<boolean> {
    try {
      return await update();
    } catch (err) {
      this.#heldUntil.set(callId, this.#now() + this.#pollMs);
      this.#log.error({ err, call_id: callId }, 'callbacks: cannot record an outcome');
      return false;
    }
  }
}
