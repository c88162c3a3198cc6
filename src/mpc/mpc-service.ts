/**
 * The multi-party call domain (DESIGN.md §2): creates instances for runs,
 * dials their members through the engine, carries out the member actions,
 * keeps every state change in the store (an append-only event log per
 * call), and ends a call when its last agent leaves.
 *
 * Ordering: everything done to one call — an API action, a leg's event —
 * runs on that call's SerialQueue, and each step commits before it acts,
 * so the stored history is the order things happened in. Calls never wait
 * for each other.
 */
import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type {
  CallRecord,
  MemberRecord,
  MemberRole,
  MemberState,
  RequestRecord,
  RunRecord,
  Store,
} from '../store/index.js';
import { parseAddress, sameMember, type ParsedAddress } from './addresses.js';
import { MpcError } from './errors.js';
import { LiveCall, isLive, type LiveMember } from './live-call.js';
import type { CallEngine, LegHandle } from './ports.js';
import { isoNow, type WallClock } from './time.js';
import type { MemberActionName, MpcObserver, NodeSettings } from './types.js';

export interface MpcServiceOptions {
  store: Store;
  engine: CallEngine;
  logger?: Logger;
  now?: WallClock;
  observer?: MpcObserver;
}

export interface RunRequest {
  authId: string;
  apiId: string;
  runId: string;
  node: NodeSettings;
  /** The run payload as received (stored with the run). */
  payload: Record<string, string>;
  /** First legs, rendered from the node's templates: `from` is dialled as agent, `to` as customer. */
  from: string;
  to: string;
}

export interface CallRequest {
  authId: string;
  apiId: string;
  node: NodeSettings;
  to: string;
  role: MemberRole;
  triggerSource: string;
}

export interface MemberActionRequest {
  authId: string;
  apiId: string;
  node: NodeSettings;
  memberAddress: string;
  action: MemberActionName;
}

export interface MpcStats {
  liveCalls: number;
  membersByState: Record<MemberState, number>;
}

/** Roles whose members may act on the call (DESIGN.md §2: agent or supervisor). */
const ACTING_ROLES: ReadonlySet<MemberRole> = new Set(['agent', 'supervisor']);

/** A live call's pending first customer (the run's `to`), dialled when the agent answers. */
interface PendingCustomer {
  address: ParsedAddress;
}

export class MpcService {
  private readonly store: Store;
  private readonly engine: CallEngine;
  private readonly logger: Logger;
  private readonly now: WallClock;
  private readonly observer: MpcObserver;
  private readonly calls = new Map<string, LiveCall>();
  private readonly byNode = new Map<string, Set<LiveCall>>();
  private readonly firstCustomer = new Map<string, PendingCustomer>();
  /** Members whose hangup the API asked for: their end is a `hangup`, not a `remote-hangup`. */
  private readonly hangupRequested = new Set<string>();
  private stopping = false;

  constructor(opts: MpcServiceOptions) {
    this.store = opts.store;
    this.engine = opts.engine;
    this.logger = opts.logger ?? pino({ level: 'silent' });
    this.now = opts.now ?? isoNow;
    this.observer = opts.observer ?? {};
  }

  // ---- start and stop --------------------------------------------------------

  /**
   * After a crash or kill -9: every call the store still has live belonged
   * to a process that is gone, with its legs. End them with cause
   * `server-restart`, and close their members. Returns how many.
   */
  async reconcile(): Promise<number> {
    const stale = await this.store.liveCalls();
    for (const call of stale) {
      const at = this.now();
      const members = (await this.store.members(call.callId)).filter(isLive);
      const closed = members.map((m) => finalMember(m, at, 'server-restart'));
      await this.store.commit({
        calls: [{ ...call, state: 'ended', endedOn: at, endReason: 'server-restart' }],
        members: closed,
        events: [
          ...closed.map((m) => ({
            callId: call.callId,
            at,
            type: m.state === 'failed' ? 'member.failed' : 'member.disconnected',
            memberId: m.memberId,
            data: JSON.stringify({ cause: 'server-restart' }),
          })),
          {
            callId: call.callId,
            at,
            type: 'call.ended',
            memberId: null,
            data: JSON.stringify({ reason: 'server-restart' }),
          },
        ],
      });
      this.logger.info(
        { call_id: call.callId, members: closed.length },
        'ended a call left live by the previous process',
      );
    }
    return stale.length;
  }

  /** Stops taking requests and ends every live call with cause `server-shutdown` (legs hung up). */
  async shutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.calls.values()].map((live) =>
        live.queue
          .run(() => this.endCall(live, 'server-shutdown'))
          .catch((err: unknown) => {
            live.log.error({ err }, 'could not end the call cleanly');
          }),
      ),
    );
  }

  stats(): MpcStats {
    const membersByState: Record<MemberState, number> = {
      dialing: 0,
      ringing: 0,
      connected: 0,
      on_hold: 0,
      disconnected: 0,
      failed: 0,
    };
    for (const live of this.calls.values()) {
      for (const m of live.members.values()) membersByState[m.record.state]++;
    }
    return { liveCalls: this.calls.size, membersByState };
  }

  /** Live calls' ids and legs, for RTP metrics. */
  liveLegs(): LegHandle[] {
    const legs: LegHandle[] = [];
    for (const live of this.calls.values())
      for (const m of live.members.values()) if (m.leg && isLive(m.record)) legs.push(m.leg);
    return legs;
  }

  /** Resolves once every live call's queued work has run (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.calls.values()].map((c) => c.queue.idle()));
  }

  // ---- run -------------------------------------------------------------------

  /**
   * Starts an instance of `node` for a run: stores the run, the call and
   * its first member, then dials `from` as agent; `to` is dialled as
   * customer when the agent answers. Resolves with the call id once stored
   * and dialling.
   */
  async run(req: RunRequest): Promise<{ callId: string }> {
    this.assertRunning();
    const from = parseAddress('from', req.from);
    const to = parseAddress('to', req.to);
    this.checkRoute('from', from);
    this.checkRoute('to', to);
    const at = this.now();
    const callId = randomUUID();
    const call: CallRecord = {
      callId,
      authId: req.authId,
      phloId: req.node.phloId,
      nodeId: req.node.nodeId,
      runId: req.runId,
      state: 'initialized',
      createdOn: at,
      startedOn: null,
      endedOn: null,
      endReason: null,
    };
    const run: RunRecord = {
      runId: req.runId,
      phloId: req.node.phloId,
      authId: req.authId,
      payload: JSON.stringify(req.payload),
      createdOn: at,
    };
    const agent = newMember(callId, from.address, 'agent', at);
    const conference = this.engine.createConference(callId);
    const live = new LiveCall(call, req.node, conference, this.store, this.now, this.logger);
    try {
      await live.change({
        extra: { run },
        request: this.request(req.authId, req.apiId, 'run', req.node, callId, null, {
          ...req.payload,
        }),
        call,
        members: [agent],
        events: [
          { type: 'call.created', memberId: null, data: { run_id: req.runId } },
          dialingEvent(agent),
        ],
      });
    } catch (err) {
      await conference.close();
      throw err;
    }
    this.register(live);
    this.firstCustomer.set(callId, { address: to });
    await live.queue.run(() => this.dialMember(live, agent.memberId, from));
    return { callId };
  }

  // ---- the `call` action -------------------------------------------------------

  /**
   * Adds `to` to the live call where `trigger_source` is a connected agent
   * (or supervisor): stored, then dialled; the outcome arrives as member
   * state and events.
   */
  async call(req: CallRequest): Promise<void> {
    this.assertRunning();
    const trigger = parseAddress('trigger_source', req.triggerSource);
    const to = parseAddress('to', req.to);
    this.checkRoute('to', to);
    const { live } = this.findActor(req.authId, req.node, trigger, req.triggerSource);
    await live.queue.run(async () => {
      // Re-checked in the queue: the call may have changed while this waited.
      if (live.ended) throw this.callGone(req.node);
      const actor = this.actorIn(live, trigger, req.triggerSource, req.node);
      const present = live.liveMembers().find((m) => sameMember(m.record.address, to));
      if (present)
        throw new MpcError(
          'conflict',
          `to ${req.to} is already in this call (${present.record.state} as ${present.record.role})`,
        );
      const count = live.liveMembers().length;
      if (count >= live.node.maxParticipants)
        throw new MpcError(
          'conflict',
          `the call is full: it has ${count} members and node ${req.node.nodeId} allows max_participants ${live.node.maxParticipants}`,
        );
      const member = newMember(live.id, to.address, req.role, this.now());
      await live.change({
        request: this.request(req.authId, req.apiId, 'call', req.node, live.id, member.memberId, {
          to: req.to,
          role: req.role,
          trigger_source: req.triggerSource,
        }),
        members: [member],
        events: [dialingEvent(member, actor.record.memberId)],
      });
      this.dialMember(live, member.memberId, to);
    });
  }

  // ---- member actions ------------------------------------------------------------

  async memberAction(req: MemberActionRequest): Promise<void> {
    this.assertRunning();
    const address = parseAddress('member', req.memberAddress);
    const { live } = this.findMember(req.authId, req.node, address, req.memberAddress);
    await live.queue.run(async () => {
      if (live.ended) throw this.callGone(req.node);
      const member = live
        .liveMembers()
        .reverse()
        .find((m) => sameMember(m.record.address, address));
      if (!member)
        throw new MpcError(
          'not-found',
          `member ${req.memberAddress} is not in a live call of node ${req.node.nodeId}`,
        );
      const request = this.request(
        req.authId,
        req.apiId,
        req.action,
        req.node,
        live.id,
        member.record.memberId,
        { member: req.memberAddress },
      );
      await this.applyMemberAction(live, member, req.action, request, req.memberAddress);
    });
  }

  private async applyMemberAction(
    live: LiveCall,
    member: LiveMember,
    action: MemberActionName,
    request: RequestRecord,
    shown: string,
  ): Promise<void> {
    const rec = member.record;
    const leg = member.leg;
    const id = rec.memberId;
    switch (action) {
      case 'hold': {
        if (rec.state === 'on_hold') throw conflict(`member ${shown} is already on hold`);
        if (rec.state !== 'connected') throw notConnected(shown, rec);
        await live.change({
          request,
          members: [{ ...rec, state: 'on_hold', held: true }],
          events: [{ type: 'member.held', memberId: id }],
        });
        if (leg) live.conference.setHeld(leg, true, holdMusic(live, rec.role) ?? undefined);
        return;
      }
      case 'unhold': {
        if (rec.state === 'connected') throw conflict(`member ${shown} is not on hold`);
        if (rec.state !== 'on_hold') throw notConnected(shown, rec);
        await live.change({
          request,
          members: [{ ...rec, state: 'connected', held: false }],
          events: [{ type: 'member.unheld', memberId: id }],
        });
        if (leg) live.conference.setHeld(leg, false);
        return;
      }
      case 'mute':
      case 'unmute': {
        const muted = action === 'mute';
        if (rec.state !== 'connected' && rec.state !== 'on_hold') throw notConnected(shown, rec);
        if (rec.muted === muted)
          throw conflict(`member ${shown} is ${muted ? 'already muted' : 'not muted'}`);
        await live.change({
          request,
          members: [{ ...rec, muted }],
          events: [{ type: muted ? 'member.muted' : 'member.unmuted', memberId: id }],
        });
        if (leg) live.conference.setMuted(leg, muted);
        return;
      }
      case 'hangup': {
        await live.change({
          request,
          events: [{ type: 'member.hangup-requested', memberId: id, data: { state: rec.state } }],
        });
        this.hangupRequested.add(id);
        if (leg) leg.hangup('hangup requested');
        return;
      }
    }
  }

  // ---- legs ------------------------------------------------------------------------

  /** Dials a stored member and follows its leg. Runs inside the call's queue. */
  private dialMember(live: LiveCall, memberId: string, address: ParsedAddress): void {
    const member = live.members.get(memberId);
    if (!member) return;
    let leg: LegHandle;
    try {
      leg = this.engine.dial(address.dial, live.conference, {
        callerId: live.node.callerId ?? undefined,
        ringTimeoutMs: live.node.ringTimeoutMs,
        logger: live.log.child({ member_id: memberId }),
      });
    } catch (err) {
      // Routing was checked before storing; only a closing engine lands here.
      void live.queue.run(() =>
        this.onLegFailed(live, memberId, { cause: 'failed', reason: (err as Error).message }),
      );
      return;
    }
    member.leg = leg;
    const on = (task: () => Promise<void>): void => {
      live.queue.run(task).catch((err: unknown) => {
        live.log.error({ err, member_id: memberId }, 'could not record a leg event');
      });
    };
    leg.on('ringing', () => on(() => this.onLegProgress(live, memberId, 'member.ringing')));
    leg.on('early-media', (m) =>
      on(() => this.onLegProgress(live, memberId, 'member.early-media', { ...m })),
    );
    leg.on('answered', (m) => on(() => this.onLegAnswered(live, memberId, leg, m)));
    leg.on('failed', (f) => on(() => this.onLegFailed(live, memberId, f)));
    leg.on('ended', (e) => on(() => this.onLegEnded(live, memberId, e)));
    leg.on('remote-hold', () => on(() => this.onLegNote(live, memberId, 'member.remote-hold')));
    leg.on('remote-resume', () => on(() => this.onLegNote(live, memberId, 'member.remote-resume')));
  }

  private async onLegProgress(
    live: LiveCall,
    memberId: string,
    type: string,
    data?: Record<string, unknown>,
  ): Promise<void> {
    const rec = live.members.get(memberId)?.record;
    if (!rec || live.ended || (rec.state !== 'dialing' && rec.state !== 'ringing')) return;
    await live.change({
      members: rec.state === 'ringing' ? undefined : [{ ...rec, state: 'ringing' }],
      events: [{ type, memberId, data }],
    });
  }

  private async onLegNote(live: LiveCall, memberId: string, type: string): Promise<void> {
    const rec = live.members.get(memberId)?.record;
    if (!rec || live.ended || !isLive(rec)) return;
    await live.change({ events: [{ type, memberId }] });
  }

  private async onLegAnswered(
    live: LiveCall,
    memberId: string,
    leg: LegHandle,
    media: { codec: string; ptime: number },
  ): Promise<void> {
    const rec = live.members.get(memberId)?.record;
    if (!rec || live.ended || !isLive(rec)) {
      // Answered after the call (or the member) was over: it has no call to join.
      leg.hangup('call already ended');
      return;
    }
    const at = this.now();
    const starting = live.record.state === 'initialized';
    await live.change({
      call: starting ? { ...live.record, state: 'active', startedOn: at } : undefined,
      members: [{ ...rec, state: 'connected', joinedOn: at, sipCallId: leg.sipCallId }],
      events: [
        { type: 'member.connected', memberId, data: { ...media, sip_call_id: leg.sipCallId } },
        ...(starting ? [{ type: 'call.active', memberId: null }] : []),
      ],
    });
    this.observer.dialOutcome?.('connected');
    const customer = this.firstCustomer.get(live.id);
    if (customer && ACTING_ROLES.has(rec.role)) {
      this.firstCustomer.delete(live.id);
      const member = newMember(live.id, customer.address.address, 'customer', this.now());
      await live.change({ members: [member], events: [dialingEvent(member, memberId)] });
      this.dialMember(live, member.memberId, customer.address);
    }
  }

  private async onLegFailed(
    live: LiveCall,
    memberId: string,
    f: { cause: string; status?: number; reason: string },
  ): Promise<void> {
    const rec = live.members.get(memberId)?.record;
    if (!rec || !isLive(rec)) return;
    const cause =
      this.hangupRequested.delete(memberId) && f.cause === 'canceled' ? 'canceled' : f.cause;
    await live.change({
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
    this.observer.dialOutcome?.(outcomeOf(cause));
    await this.checkEnd(live);
  }

  private async onLegEnded(
    live: LiveCall,
    memberId: string,
    e: { by: 'local' | 'remote'; status?: number; reason: string },
  ): Promise<void> {
    const rec = live.members.get(memberId)?.record;
    if (!rec || !isLive(rec)) return;
    const requested = this.hangupRequested.delete(memberId);
    const cause = requested ? 'hangup' : e.by === 'remote' ? 'remote-hangup' : e.reason;
    await live.change({
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
    await this.checkEnd(live);
  }

  /** DESIGN.md §2: the instance ends when the last agent leaves, or when nobody is left. */
  private async checkEnd(live: LiveCall): Promise<void> {
    if (live.ended) return;
    const members = live.liveMembers();
    if (members.length === 0) return this.endCall(live, 'everyone-left');
    if (!members.some((m) => ACTING_ROLES.has(m.record.role)))
      return this.endCall(live, 'last-agent-left');
  }

  /** Ends a call: stores the end (members closed with `reason`), then hangs up its legs. In the call's queue. */
  private async endCall(live: LiveCall, reason: string): Promise<void> {
    if (live.ended) return;
    const at = this.now();
    const remaining = live.liveMembers();
    const closed = remaining.map((m) => finalMember(m.record, at, reason));
    this.firstCustomer.delete(live.id);
    await live.change({
      call: { ...live.record, state: 'ended', endedOn: at, endReason: reason },
      members: closed,
      events: [
        ...closed.map((m) => ({
          type: m.state === 'failed' ? 'member.failed' : 'member.disconnected',
          memberId: m.memberId,
          data: { cause: reason },
        })),
        { type: 'call.ended', memberId: null, data: { reason } },
      ],
    });
    for (const m of remaining) m.leg?.hangup(reason);
    this.unregister(live);
    await live.conference.close();
  }

  // ---- lookups -------------------------------------------------------------------------

  private liveCallsOf(authId: string, node: NodeSettings): LiveCall[] {
    const set = this.byNode.get(nodeKey(node));
    if (!set) return [];
    // Most recent first: an address in two calls acts on the newer one.
    return [...set]
      .filter((c) => c.record.authId === authId && !c.ended)
      .sort((a, b) => (a.record.createdOn < b.record.createdOn ? 1 : -1));
  }

  private findActor(
    authId: string,
    node: NodeSettings,
    trigger: ParsedAddress,
    shown: string,
  ): { live: LiveCall } {
    const calls = this.liveCallsOf(authId, node);
    let seen: LiveCall | null = null;
    for (const live of calls) {
      const found = live.liveMembers().filter((m) => sameMember(m.record.address, trigger));
      if (found.length === 0) continue;
      seen ??= live;
      if (found.some((m) => canAct(m.record))) return { live };
    }
    if (!seen)
      throw new MpcError(
        'not-found',
        `trigger_source ${shown} is not a member of a live call of node ${node.nodeId}`,
      );
    // Found, but not as someone who may act: say why.
    this.actorIn(seen, trigger, shown, node);
    return { live: seen };
  }

  private actorIn(
    live: LiveCall,
    trigger: ParsedAddress,
    shown: string,
    node: NodeSettings,
  ): LiveMember {
    const found = live.liveMembers().filter((m) => sameMember(m.record.address, trigger));
    const actor = found.find((m) => canAct(m.record));
    if (actor) return actor;
    const m = found[0];
    if (!m)
      throw new MpcError(
        'not-found',
        `trigger_source ${shown} is not a member of a live call of node ${node.nodeId}`,
      );
    const why = ACTING_ROLES.has(m.record.role)
      ? `it is ${m.record.state.replace('_', ' ')}`
      : `its role is ${m.record.role}`;
    throw new MpcError(
      'conflict',
      `trigger_source ${shown} is not a connected agent in a live call of node ${node.nodeId} (${why})`,
    );
  }

  private findMember(
    authId: string,
    node: NodeSettings,
    address: ParsedAddress,
    shown: string,
  ): { live: LiveCall } {
    for (const live of this.liveCallsOf(authId, node)) {
      if (live.liveMembers().some((m) => sameMember(m.record.address, address))) return { live };
    }
    throw new MpcError('not-found', `member ${shown} is not in a live call of node ${node.nodeId}`);
  }

  private register(live: LiveCall): void {
    this.calls.set(live.id, live);
    const key = nodeKey(live.node);
    let set = this.byNode.get(key);
    if (!set) this.byNode.set(key, (set = new Set()));
    set.add(live);
  }

  private unregister(live: LiveCall): void {
    this.calls.delete(live.id);
    const key = nodeKey(live.node);
    const set = this.byNode.get(key);
    set?.delete(live);
    if (set?.size === 0) this.byNode.delete(key);
  }

  // ---- small pieces ----------------------------------------------------------------------

  private assertRunning(): void {
    if (this.stopping) throw new MpcError('unavailable', 'the server is shutting down');
  }

  private checkRoute(field: string, address: ParsedAddress): void {
    try {
      this.engine.checkAddress(address.dial);
    } catch (err) {
      throw new MpcError('validation', `${field}: ${(err as Error).message}`);
    }
  }

  private callGone(node: NodeSettings): MpcError {
    return new MpcError(
      'conflict',
      `the call of node ${node.nodeId} ended before this request ran`,
    );
  }

  private request(
    authId: string,
    apiId: string,
    action: string,
    node: NodeSettings,
    callId: string,
    memberId: string | null,
    params: Record<string, unknown>,
  ): RequestRecord {
    return {
      apiId,
      authId,
      action,
      phloId: node.phloId,
      nodeId: node.nodeId,
      callId,
      memberId,
      params: JSON.stringify(params),
      receivedOn: this.now(),
    };
  }
}

function nodeKey(node: NodeSettings): string {
  return `${node.phloId}\0${node.nodeId}`;
}

function canAct(m: MemberRecord): boolean {
  return m.state === 'connected' && ACTING_ROLES.has(m.role);
}

function newMember(callId: string, address: string, role: MemberRole, at: string): MemberRecord {
  return {
    memberId: randomUUID(),
    callId,
    address,
    role,
    state: 'dialing',
    muted: false,
    held: false,
    createdOn: at,
    joinedOn: null,
    leftOn: null,
    hangupCause: null,
    sipStatus: null,
    sipCallId: null,
  };
}

/** A member closed by the call's end: disconnected if it had joined, failed (never connected) otherwise. */
function finalMember(m: MemberRecord, at: string, cause: string): MemberRecord {
  const joined = m.state === 'connected' || m.state === 'on_hold';
  return {
    ...m,
    state: joined ? 'disconnected' : 'failed',
    held: false,
    leftOn: at,
    hangupCause: cause,
  };
}

function dialingEvent(
  m: MemberRecord,
  by?: string,
): { type: string; memberId: string; data: Record<string, unknown> } {
  return {
    type: 'member.dialing',
    memberId: m.memberId,
    data: { address: m.address, role: m.role, ...(by ? { trigger_member_id: by } : {}) },
  };
}

function holdMusic(live: LiveCall, role: MemberRole): string | null {
  return role === 'customer' ? live.node.customerHoldMusic : live.node.agentHoldMusic;
}

function conflict(message: string): MpcError {
  return new MpcError('conflict', message);
}

function notConnected(shown: string, m: MemberRecord): MpcError {
  return new MpcError(
    'conflict',
    `member ${shown} is not connected yet (it is ${m.state.replace('_', ' ')})`,
  );
}

function outcomeOf(
  cause: string,
): NonNullable<Parameters<NonNullable<MpcObserver['dialOutcome']>>[0]> {
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
