/**
 * One live MPC instance in memory: its stored record, its members with
 * their legs, its conference, and the queue that orders everything done to
 * it. Every change goes through `change()`, which commits the new rows and
 * the events to the store first and only then lets the caller act on the
 * engine, once they are on disk, so what is stored never lags what
 * happened.
 */
import type { Logger } from 'pino';
import type { TimerHandle } from '../clock/index.js';
import type {
  CallRecord,
  ChangeSet,
  EventRecord,
  MemberRecord,
  RequestRecord,
  Store,
} from '../store/index.js';
import type { ConferenceHandle, LegHandle } from './ports.js';
import { SerialQueue } from './serial-queue.js';
import type { WallClock } from './time.js';
import type { FeedEvent } from './call-feed.js';
import type { TalkingIndicators } from './talking.js';
import type { Transfer } from './transfer.js';
import type { NodeSettings, SupervisorMode } from './types.js';

export interface LiveMember {
  record: MemberRecord;
  leg: LegHandle | null;
  /** Held by a hold action (unhold lifts it). */
  apiHeld: boolean;
  /** Held while a transfer is pending (the transfer lifts it). */
  transferHeld: boolean;
  /** A supervisor's audience mode. */
  mode: SupervisorMode | null;
  /** Why we ended this member, when we did (the cause recorded instead of `hangup`). */
  endCause: string | null;
  /** Its voicemail message is playing: it leaves without an exit sound. */
  voicemail: boolean;
}

/** States in which a member is still part of the call (or about to be). */
export function isLive(m: MemberRecord): boolean {
  return m.state !== 'disconnected' && m.state !== 'failed';
}

export type PendingEvent = Omit<EventRecord, 'seq' | 'callId' | 'at' | 'data'> & {
  data?: Record<string, unknown>;
};

export class LiveCall {
  readonly queue = new SerialQueue();
  /** Every member the call has had, those that left included (their records stay for the call's life). */
  readonly members = new Map<string, LiveMember>();
  /**
   * The live ones among them (isLive), in the order they were added: what
   * each action and each change looks through. A long call keeps every
   * member that ever left in `members`; searching those for every request
   * made a request's work grow with the call's history (at 100 added
   * members a second over 8 calls, ~200 left members per call after 15 s).
   */
  private readonly current = new Map<string, LiveMember>();
  readonly log: Logger;
  /** The warm or cold transfer pending, if any (one at a time). */
  transfer: Transfer | null = null;
  /** The first customer of an API run, dialled when the agent answers. */
  pendingCustomer: { address: string; dial: string } | null = null;
  /** An inbound call's agents being dialled together: the first to answer takes the call. */
  readonly ringGroup = new Set<string>();
  /** An announcement plays before the call may end (a failed cold transfer's). */
  announcing = false;
  /** Timers of the call's lifecycle (max duration, alone), cleared when it ends. */
  readonly timers = new Map<string, TimerHandle>();

  /** Adds rows that travel with every change (the callback deliveries of its events). */
  decorate: ((changes: ChangeSet) => void) | null = null;
  /** Told after each commit (what was decorated can be acted on now it is stored). */
  committed: ((changes: ChangeSet) => void) | null = null;
  /** Who is shown talking (set by the service that publishes the call's feed). */
  talking: TalkingIndicators | null = null;
  /** Stops following the conference's speaking detection. */
  stopSpeaking: () => void = () => undefined;
  /** Told after each change, once the in-memory copies show it (the live feed). */
  changed: ((events: FeedEvent[]) => void) | null = null;

  constructor(
    public record: CallRecord,
    readonly node: NodeSettings,
    readonly conference: ConferenceHandle,
    private readonly store: Store,
    private readonly now: WallClock,
    logger: Logger,
  ) {
    this.log = logger.child({ call_id: record.callId });
  }

  get id(): string {
    return this.record.callId;
  }

  get ended(): boolean {
    return this.record.state === 'ended';
  }

  liveMembers(): LiveMember[] {
    return [...this.current.values()];
  }

  /** Whether the member is in the call (or about to be): neither disconnected nor failed. */
  isLiveMember(memberId: string): boolean {
    return this.current.has(memberId);
  }

  member(memberId: string): LiveMember | undefined {
    return this.members.get(memberId);
  }

  /** Members in the call now (connected or on hold). */
  joined(): LiveMember[] {
    return this.liveMembers().filter(
      (m) => m.record.state === 'connected' || m.record.state === 'on_hold',
    );
  }

  /**
   * Stores a change: the given member and call rows (whole, as they will
   * be), the events, and the request that caused it; updates the in-memory
   * copies only once the commit succeeded.
   */
  async change(c: {
    request?: RequestRecord;
    call?: CallRecord;
    members?: MemberRecord[];
    events?: PendingEvent[];
    extra?: Pick<ChangeSet, 'run'>;
  }): Promise<void> {
    const at = this.now();
    const changes: ChangeSet = {
      ...c.extra,
      request: c.request,
      calls: c.call ? [c.call] : undefined,
      members: c.members,
      events: (c.events ?? []).map((e) => ({
        callId: this.id,
        at,
        type: e.type,
        memberId: e.memberId,
        data: JSON.stringify(e.data ?? {}),
      })),
    };
    this.decorate?.(changes);
    await this.store.commit(changes, () => this.apply(c));
    this.committed?.(changes);
    for (const e of c.events ?? [])
      this.log.info({ event: e.type, member_id: e.memberId, ...e.data }, 'call event');
    // The feed is for watchers: a failure there is logged, never a failure of the call's change.
    try {
      this.changed?.(
        (c.events ?? []).map((e) => ({
          at,
          type: e.type,
          memberId: e.memberId,
          data: e.data ?? {},
        })),
      );
    } catch (err) {
      this.log.error({ err }, 'the live feed could not be told of a change');
    }
  }

  /** Updates the in-memory copies to the rows of a change that is written. */
  private apply(c: { call?: CallRecord; members?: MemberRecord[] }): void {
    if (c.call) this.record = c.call;
    for (const m of c.members ?? []) {
      let member = this.members.get(m.memberId);
      if (member) member.record = m;
      else {
        member = {
          record: m,
          leg: null,
          apiHeld: false,
          transferHeld: false,
          mode: m.role === 'supervisor' ? 'barge' : null,
          endCause: null,
          voicemail: false,
        };
        this.members.set(m.memberId, member);
      }
      // Map.set keeps an existing key where it is: the order stays the order of adding.
      if (isLive(m)) this.current.set(m.memberId, member);
      else this.current.delete(m.memberId);
    }
  }
}
