/**
 * The behaviour of one live call: dialling members and following their
 * legs, the lifecycle the node configures (wait music, enter/exit sounds,
 * max duration, end on exit, a member left alone, recording), and ending
 * the call. Transfers (transfers.ts) and member actions (member-actions.ts)
 * act through it. Everything here runs on the call's queue; every step
 * stores its change before it touches the engine.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock/index.js';
import type { MemberRecord, MemberRole, RequestRecord } from '../store/index.js';
import { isLive, type LiveCall, type LiveMember, type PendingEvent } from './live-call.js';
import type { CallEngine, LegHandle } from './ports.js';
import type { WallClock } from './time.js';
import type { MpcObserver } from './types.js';
import { onTargetAnswered, onTransferMemberLeft } from './transfers.js';

/** Roles whose members may act on the call (DESIGN.md §2: agent or supervisor). */
export const ACTING_ROLES: ReadonlySet<MemberRole> = new Set(['agent', 'supervisor']);

export interface SessionContext {
  engine: CallEngine;
  now: WallClock;
  clock: Clock;
  observer: MpcObserver;
  /** Where recordings go (null: recording is refused with a logged reason). */
  recordingsDir: string | null;
  /** The call ended: forget it. */
  ended(session: CallSession): void;
}

export class CallSession {
  readonly log: Logger;

  constructor(
    readonly live: LiveCall,
    private readonly ctx: SessionContext,
  ) {
    this.log = live.log;
  }

  get now(): WallClock {
    return this.ctx.now;
  }

  get node(): LiveCall['node'] {
    return this.live.node;
  }

  /** Queues `task` on the call's queue; a failure is logged, never thrown at an event emitter. */
  enqueue(task: () => Promise<void>, what: string): void {
    this.live.queue.run(task).catch((err: unknown) => {
      this.log.error({ err }, `could not ${what}`);
    });
  }

  // ---- start --------------------------------------------------------------------

  /** The call's lifecycle begins: wait music, the max-duration timer, the recording. */
  async begin(): Promise<void> {
    const node = this.node;
    if (node.waitMusic) await this.live.conference.setWaitMusic(node.waitMusic);
    if (node.maxDurationMs) {
      this.live.timers.set(
        'max-duration',
        this.ctx.clock.setTimeout(
          () =>
            this.enqueue(() => this.endCall('max-duration'), 'end the call at its max duration'),
          node.maxDurationMs,
        ),
      );
    }
    if (node.record) {
      if (!this.ctx.recordingsDir) {
        this.log.warn('the node asks for a recording, but the server has no recordings directory');
        return;
      }
      const path = join(this.ctx.recordingsDir, `${this.live.id}.wav`);
      try {
        await this.live.conference.startRecording(path);
      } catch (err) {
        this.log.error({ err, path }, 'the recording could not start');
        await this.live.change({
          events: [
            { type: 'recording.failed', memberId: null, data: { reason: (err as Error).message } },
          ],
        });
      }
    }
  }

  // ---- members and their legs ---------------------------------------------------------

  newMember(address: string, role: MemberRole): MemberRecord {
    return {
      memberId: randomUUID(),
      callId: this.live.id,
      address,
      role,
      state: 'dialing',
      muted: false,
      held: false,
      createdOn: this.now(),
      joinedOn: null,
      leftOn: null,
      hangupCause: null,
      sipStatus: null,
      sipCallId: null,
    };
  }

  dialingEvent(m: MemberRecord, data: Record<string, unknown> = {}): PendingEvent {
    return {
      type: 'member.dialing',
      memberId: m.memberId,
      data: { address: m.address, role: m.role, ...data },
    };
  }

  /**
   * Stores a new member as dialling and, once that is on disk, dials it.
   * The leg is created and its stream asked for before the caller resumes,
   * so a `call` is acknowledged with its dial started; the rest of the dial
   * (ports, SDP, the INVITE) goes on after the caller is answered. Dialling while
   * the WAL synced put that work between the sync's completion and the
   * 201 (see README "API benchmark"), and rang phones for requests whose
   * commit could still fail.
   */
  async addMember(
    address: { address: string; dial: string },
    role: MemberRole,
    extra: {
      request?: RequestRecord;
      events?: PendingEvent[];
      data?: Record<string, unknown>;
    } = {},
  ): Promise<LiveMember> {
    const member = this.newMember(address.address, role);
    try {
      await this.live.change({
        request: extra.request,
        members: [member],
        events: [this.dialingEvent(member, extra.data), ...(extra.events ?? [])],
      });
    } catch (err) {
      // A write made but not confirmed on disk (the WAL's sync failed) has the member in
      // memory as dialling, and no one will dial it: left so, it would hold its place
      // towards max_participants and make every retry of `to` a 409. It fails instead.
      if (this.live.member(member.memberId))
        this.enqueue(
          () =>
            this.onLegFailed(member.memberId, {
              cause: 'failed',
              reason: `not dialled: the store could not confirm the member's write (${(err as Error).message})`,
            }),
          'record a member whose write was not confirmed',
        );
      throw err;
    }
    this.dial(member.memberId, address.dial);
    // Someone on the way: whoever was alone is not alone now (the timer starts afresh if this fails).
    this.checkAlone();
    return this.live.member(member.memberId)!;
  }

  /** Dials a stored member and follows its leg. */
  dial(memberId: string, dial: string): void {
    const member = this.live.member(memberId);
    if (!member) return;
    let leg: LegHandle;
    try {
      leg = this.ctx.engine.dial(dial, this.live.conference, {
        callerId: this.node.callerId ?? undefined,
        ringTimeoutMs: this.node.ringTimeoutMs,
        logger: this.log.child({ member_id: memberId }),
        role: member.record.role,
      });
    } catch (err) {
      // Routing was checked before storing; only a closing engine lands here.
      this.enqueue(
        () => this.onLegFailed(memberId, { cause: 'failed', reason: (err as Error).message }),
        'record a dial that could not start',
      );
      return;
    }
    this.follow(member, leg);
  }

  /** Follows a member's leg: each event becomes a stored change, in order. */
  follow(member: LiveMember, leg: LegHandle): void {
    member.leg = leg;
    const id = member.record.memberId;
    const on = (task: () => Promise<void>): void => this.enqueue(task, 'record a leg event');
    leg.on('ringing', () => on(() => this.onLegProgress(id, 'member.ringing')));
    leg.on('early-media', (m) => on(() => this.onLegProgress(id, 'member.early-media', { ...m })));
    leg.on('answered', (m) => on(() => this.onLegAnswered(id, leg, m)));
    // A member that has left keeps its record for the call's lifetime, not its leg: an
    // ended leg is only its stream's buffers and sockets, and nothing acts on it any more.
    const over = (): void => {
      if (member.leg === leg) member.leg = null;
    };
    leg.on('failed', (f) => {
      over();
      on(() => this.onLegFailed(id, f));
    });
    leg.on('ended', (e) => {
      over();
      on(() => this.onLegEnded(id, e));
    });
    leg.on('remote-hold', () => on(() => this.onLegNote(id, 'member.remote-hold')));
    leg.on('remote-resume', () => on(() => this.onLegNote(id, 'member.remote-resume')));
  }

  private async onLegProgress(
    memberId: string,
    type: string,
    data?: Record<string, unknown>,
  ): Promise<void> {
    const rec = this.live.member(memberId)?.record;
    if (!rec || this.live.ended || (rec.state !== 'dialing' && rec.state !== 'ringing')) return;
    await this.live.change({
      members: rec.state === 'ringing' ? undefined : [{ ...rec, state: 'ringing' }],
      events: [{ type, memberId, data }],
    });
  }

  private async onLegNote(memberId: string, type: string): Promise<void> {
    const rec = this.live.member(memberId)?.record;
    if (!rec || this.live.ended || !isLive(rec)) return;
    await this.live.change({ events: [{ type, memberId }] });
  }

  private async onLegAnswered(
    memberId: string,
    leg: LegHandle,
    media: { codec: string; ptime: number },
  ): Promise<void> {
    const member = this.live.member(memberId);
    if (!member || this.live.ended || !isLive(member.record)) {
      // Answered after the call (or the member) was over: it has no call to join.
      leg.hangup('call already ended');
      return;
    }
    await this.joined(member, { ...media, sip_call_id: leg.sipCallId });
    this.ctx.observer.dialOutcome?.('connected');
  }

  /** A member is in the call now (an answered dial, or an answered caller). */
  async joined(member: LiveMember, data: Record<string, unknown>): Promise<void> {
    const at = this.now();
    const rec = member.record;
    const starting = this.live.record.state === 'initialized';
    await this.live.change({
      call: starting ? { ...this.live.record, state: 'active', startedOn: at } : undefined,
      members: [
        { ...rec, state: 'connected', joinedOn: at, sipCallId: member.leg?.sipCallId ?? null },
      ],
      events: [
        { type: 'member.connected', memberId: rec.memberId, data },
        ...(starting ? [{ type: 'call.active', memberId: null }] : []),
      ],
    });
    if (member.mode === 'coach' || member.mode === 'listen') this.applyMode(member);
    if (this.node.enterSound && this.live.joined().length > 1)
      void this.live.conference.play(null, this.node.enterSound);
    if (this.live.transfer?.u3 === rec.memberId) await onTargetAnswered(this, member);
    if (this.live.ringGroup.has(rec.memberId)) this.answeredInGroup(rec.memberId);
    const customer = this.live.pendingCustomer;
    if (customer && ACTING_ROLES.has(rec.role)) {
      this.live.pendingCustomer = null;
      await this.addMember(customer, 'customer', { data: { trigger_member_id: rec.memberId } });
    }
    this.checkAlone();
  }

  async onLegFailed(
    memberId: string,
    f: { cause: string; status?: number; reason: string },
  ): Promise<void> {
    const member = this.live.member(memberId);
    const rec = member?.record;
    if (!member || !rec || !isLive(rec)) return;
    const cause = member.endCause ?? f.cause;
    await this.live.change({
      members: [
        {
          ...rec,
          state: 'failed',
          leftOn: this.now(),
          hangupCause: cause,
          sipStatus: f.status ?? null,
        },
      ],
      events: [
        {
          type: 'member.failed',
          memberId,
          data: { cause, ...(f.status ? { status: f.status } : {}), reason: f.reason },
        },
      ],
    });
    this.ctx.observer.dialOutcome?.(outcomeOf(f.cause));
    await this.left(member, false, { cause: f.cause, status: f.status });
  }

  private async onLegEnded(
    memberId: string,
    e: { by: 'local' | 'remote'; status?: number; reason: string },
  ): Promise<void> {
    const member = this.live.member(memberId);
    const rec = member?.record;
    if (!member || !rec || !isLive(rec)) return;
    const cause = member.endCause ?? (e.by === 'remote' ? 'remote-hangup' : e.reason);
    await this.live.change({
      members: [
        {
          ...rec,
          state: 'disconnected',
          held: false,
          leftOn: this.now(),
          hangupCause: cause,
          sipStatus: e.status ?? rec.sipStatus,
        },
      ],
      events: [
        { type: 'member.disconnected', memberId, data: { cause, by: e.by, reason: e.reason } },
      ],
    });
    await this.left(member, true, { cause });
  }

  /** A member is gone (failed before joining, or left): transfers, sounds, and whether the call ends. */
  private async left(
    member: LiveMember,
    wasJoined: boolean,
    why: { cause: string; status?: number },
  ): Promise<void> {
    if (this.live.ended) return;
    // Leaving by a transfer is handing over, not exiting: a cold transfer's U1, and a warm
    // one's U1, whose leaving joins U3 and U2 (DESIGN.md §2) — or leaves them waiting for U3.
    const t = this.live.transfer;
    const handingOver =
      member.endCause === 'transferred' ||
      (t !== null && t.kind === 'warm' && t.u1 === member.record.memberId);
    await onTransferMemberLeft(this, member, why);
    if (this.live.ended) return;
    if (wasJoined && this.node.exitSound && !member.voicemail && this.live.joined().length > 0)
      void this.live.conference.play(null, this.node.exitSound);
    if (wasJoined && !handingOver && this.node.endOnExit?.[member.record.role])
      return this.endCall(`end-on-exit:${member.record.role}`);
    await this.checkEnd();
  }

  /** The first of an inbound call's agents answered: the others ringing are canceled. */
  private answeredInGroup(memberId: string): void {
    const others = [...this.live.ringGroup].filter((id) => id !== memberId);
    this.live.ringGroup.clear();
    for (const id of others) {
      const m = this.live.member(id);
      if (!m || !isLive(m.record) || m.record.state === 'connected') continue;
      m.endCause = 'answered-elsewhere';
      m.leg?.hangup('another agent answered');
    }
  }

  // ---- holding, modes ------------------------------------------------------------------------

  /** The member's hold, as its hold action and any pending transfer say; stored, then applied. */
  async applyHold(
    member: LiveMember,
    extra: { request?: RequestRecord; events?: PendingEvent[] } = {},
  ): Promise<void> {
    const rec = member.record;
    const held = member.apiHeld || member.transferHeld;
    const joined = rec.state === 'connected' || rec.state === 'on_hold';
    const next: MemberRecord = joined
      ? { ...rec, held, state: held ? 'on_hold' : 'connected' }
      : rec;
    await this.live.change({ request: extra.request, members: [next], events: extra.events });
    if (!joined || !member.leg) return;
    const music = rec.role === 'customer' ? this.node.customerHoldMusic : this.node.agentHoldMusic;
    this.live.conference.setHeld(member.leg, held, held ? (music ?? undefined) : undefined);
  }

  /** A supervisor's audience: coach = the agents, barge = everyone, listen = nobody. */
  applyMode(member: LiveMember): void {
    if (!member.leg) return;
    const audience =
      member.mode === 'coach' ? { roles: ['agent'] } : member.mode === 'listen' ? 'none' : 'all';
    this.live.conference.setAudience(member.leg, audience);
  }

  // ---- ending ----------------------------------------------------------------------------------

  /**
   * DESIGN.md §2: the call ends when its last agent (or supervisor) leaves,
   * or when nobody is left; never while a transfer's target is on its way.
   * Nobody is left, too, when everyone who was in the call has gone and
   * the rest are still being dialled (an inbound caller who hangs up while
   * the agents ring): they would answer into an empty call, so they are
   * canceled.
   */
  async checkEnd(): Promise<void> {
    if (this.live.ended) return;
    const members = this.live.liveMembers();
    if (members.length === 0) return this.endCall('everyone-left');
    if (this.live.transfer || this.live.announcing) return;
    if (!members.some((m) => ACTING_ROLES.has(m.record.role)))
      return this.endCall('last-agent-left');
    if (this.live.record.startedOn !== null && this.live.joined().length === 0)
      return this.endCall('everyone-left');
    this.checkAlone();
  }

  /**
   * One member alone (nobody else in the call or being dialled) past the
   * node's alone timeout ends the call. A timeout of 0 ends it at once
   * (src/phlo/README.md), still through the queue, so a step under way
   * finishes first (an inbound caller whose agents are about to be
   * dialled); null or absent: never.
   */
  checkAlone(): void {
    const timeout = this.node.aloneTimeoutMs;
    if (timeout === null || timeout === undefined || this.live.ended) return;
    const alone = this.live.liveMembers().length === 1 && this.live.joined().length === 1;
    const timer = this.live.timers.get('alone');
    if (alone && !timer) {
      this.live.timers.set(
        'alone',
        this.ctx.clock.setTimeout(() => {
          this.live.timers.delete('alone');
          this.enqueue(async () => {
            const still = this.live.liveMembers().length === 1 && this.live.joined().length === 1;
            if (still) await this.endCall('alone-timeout');
          }, 'end a call left with one member');
        }, timeout),
      );
    } else if (!alone && timer) {
      this.ctx.clock.clearTimeout(timer);
      this.live.timers.delete('alone');
    }
  }

  /** Ends the call: stores the end (members closed with `reason`), then hangs up its legs. */
  async endCall(reason: string): Promise<void> {
    if (this.live.ended) return;
    for (const t of this.live.timers.values()) this.ctx.clock.clearTimeout(t);
    this.live.timers.clear();
    const at = this.now();
    const remaining = this.live.liveMembers();
    // A member already being ended for a reason of its own (a transfer given up) keeps it.
    const closed = remaining.map((m) => finalMember(m.record, at, m.endCause ?? reason));
    this.live.pendingCustomer = null;
    this.live.transfer = null;
    const recording = await this.live.conference.stopRecording().catch((err: unknown) => {
      this.log.error({ err }, 'the recording could not be closed');
      return null;
    });
    await this.live.change({
      call: { ...this.live.record, state: 'ended', endedOn: at, endReason: reason },
      members: closed,
      events: [
        ...closed.map((m) => ({
          type: m.state === 'failed' ? 'member.failed' : 'member.disconnected',
          memberId: m.memberId,
          data: { cause: m.hangupCause },
        })),
        ...(recording
          ? [
              {
                type: 'recording.ready',
                memberId: null,
                data: { path: recording.path, duration_ms: Math.round(recording.durationMs) },
              },
            ]
          : []),
        { type: 'call.ended', memberId: null, data: { reason } },
      ],
    });
    for (const m of remaining) m.leg?.hangup(reason);
    this.ctx.ended(this);
    await this.live.conference.close();
  }
}

/** A member closed by the call's end: disconnected if it had joined, failed (never connected) otherwise. */
export function finalMember(m: MemberRecord, at: string, cause: string): MemberRecord {
  const joined = m.state === 'connected' || m.state === 'on_hold';
  return {
    ...m,
    state: joined ? 'disconnected' : 'failed',
    held: false,
    leftOn: at,
    hangupCause: cause,
  };
}

function outcomeOf(cause: string): Parameters<NonNullable<MpcObserver['dialOutcome']>>[0] {
  switch (cause) {
    case 'busy':
    case 'declined':
    case 'no-answer':
    case 'unreachable':
    case 'canceled':
      return cause;
    default:
      return 'failed';
  }
}
