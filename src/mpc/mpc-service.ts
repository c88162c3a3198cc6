/**
 * The multi-party call domain (DESIGN.md §2): creates instances for runs
 * and inbound calls, finds the call a request is about, checks it may
 * apply, and hands it to the call's session (call-session.ts), which keeps
 * every state change in the store (an append-only event log per call).
 *
 * Ordering: everything done to one call — an API action, a leg's event —
 * runs on that call's SerialQueue, and each step commits before it acts,
 * so the stored history is the order things happened in. Calls never wait
 * for each other.
 */
import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from '../clock/index.js';
import type {
  CallRecord,
  ChangeSet,
  MemberRecord,
  MemberRole,
  MemberState,
  RequestRecord,
  RunRecord,
  Store,
} from '../store/index.js';
import { parseAddress, sameMember, type ParsedAddress } from './addresses.js';
import { CallFeed, type CallChange, type FeedEvent } from './call-feed.js';
import { ACTING_ROLES, CallSession, finalMember } from './call-session.js';
import { MpcError } from './errors.js';
import { LiveCall, isLive, type LiveMember } from './live-call.js';
import { applyMemberAction } from './member-actions.js';
import type { CallEngine, IncomingLegHandle, LegHandle } from './ports.js';
import { isoNow, type WallClock } from './time.js';
import { TalkingIndicators } from './talking.js';
import { startTransfer } from './transfers.js';
import type { MemberActionName, MpcObserver, NodeSettings } from './types.js';

export interface MpcServiceOptions {
  store: Store;
  engine: CallEngine;
  logger?: Logger;
  now?: WallClock;
  /** Drives the lifecycle timers (max duration, alone); default the system clock. */
  clock?: Clock;
  observer?: MpcObserver;
  /** Where `record: true` calls are recorded; null refuses recording (logged). */
  recordingsDir?: string | null;
  /** Live calls one account may have at once (inbound calls over it get 486); default 100. */
  maxLiveCallsPerAccount?: number;
  /**
   * Adds the rows that travel with a call's events (callback deliveries to
   * `callbackUrl`, the call's rendered event_callback_url, null for none).
   */
  decorate?: (
    call: CallRecord,
    callbackUrl: string | null,
    changes: ChangeSet,
    member: (memberId: string) => MemberRecord | undefined,
  ) => void;
  /** After every commit of a call's change (e.g. to send the deliveries it carried). */
  committed?: (changes: ChangeSet) => void;
  /** A member's talking indicator changes at most this often (ms); default 250. */
  talkingIntervalMs?: number;
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

export interface IncomingRequest {
  authId: string;
  runId: string;
  node: NodeSettings;
  leg: IncomingLegHandle;
  /** The node's agents, rendered: dialled once the caller is answered. */
  agents: string[];
}

export interface CallRequest {
  authId: string;
  apiId: string;
  node: NodeSettings;
  to: string;
  role: MemberRole;
  triggerSource: string;
}

export interface TransferRequest extends CallRequest {
  kind: 'warm' | 'cold';
}

/**
 * A member named by its address (the PHLO API: the newest live member with
 * that address in any live call of the node) or by call and member id (our
 * extension: exact, e.g. for a supervisor console).
 */
export type MemberActionRequest = {
  authId: string;
  apiId: string;
  node: NodeSettings;
  action: MemberActionName;
} & ({ memberAddress: string } | { callId: string; memberId: string });

export interface MpcStats {
  liveCalls: number;
  membersByState: Record<MemberState, number>;
}

export class MpcService {
  private readonly store: Store;
  private readonly engine: CallEngine;
  private readonly logger: Logger;
  private readonly now: WallClock;
  private readonly clock: Clock;
  private readonly observer: MpcObserver;
  private readonly sessions = new Map<string, CallSession>();
  private readonly byNode = new Map<string, Set<CallSession>>();
  private readonly maxPerAccount: number;
  private stopping = false;
  /** Every change of a live call, and of who is talking, as it happens (consoles stream it). */
  readonly feed: CallFeed;

  constructor(private readonly opts: MpcServiceOptions) {
    this.store = opts.store;
    this.engine = opts.engine;
    this.logger = opts.logger ?? pino({ level: 'silent' });
    this.now = opts.now ?? isoNow;
    this.clock = opts.clock ?? systemClock;
    this.observer = opts.observer ?? {};
    this.maxPerAccount = opts.maxLiveCallsPerAccount ?? 100;
    this.feed = new CallFeed(this.logger);
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
      const ended: CallRecord = {
        ...call,
        state: 'ended',
        endedOn: at,
        endReason: 'server-restart',
      };
      const changes: ChangeSet = {
        calls: [ended],
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
      };
      // Its events are delivered like any other: to the URL its earlier events went to (the
      // rendered event_callback_url; the PHLO may have changed since), none if they went nowhere.
      const callbackUrl = (await this.store.deliveries(call.callId)).at(-1)?.url ?? null;
      const byId = new Map([...members, ...closed].map((m) => [m.memberId, m]));
      this.opts.decorate?.(ended, callbackUrl, changes, (id) => byId.get(id));
      await this.store.commit(changes);
      this.opts.committed?.(changes);
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
      [...this.sessions.values()].map((s) =>
        s.live.queue
          .run(() => s.endCall('server-shutdown'))
          .catch((err: unknown) => {
            s.log.error({ err }, 'could not end the call cleanly');
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
    for (const s of this.sessions.values())
      for (const m of s.live.members.values()) membersByState[m.record.state]++;
    return { liveCalls: this.sessions.size, membersByState };
  }

  /** The account's live calls as the feed shows them (what a console starts from), oldest first. */
  liveCalls(authId: string): CallChange[] {
    return this.liveCallsOf(authId)
      .reverse()
      .map((s) => callChange(s.live, []));
  }

  /** The legs of live members, for RTP metrics. */
  liveLegs(): LegHandle[] {
    const legs: LegHandle[] = [];
    for (const s of this.sessions.values())
      for (const m of s.live.members.values()) if (m.leg && isLive(m.record)) legs.push(m.leg);
    return legs;
  }

  /** Resolves once every live call's queued work has run (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.live.queue.idle()));
  }

  // ---- new calls -------------------------------------------------------------------

  /**
   * Starts an instance of `node` for a run: stores the run, the call and
   * its first member, then dials `from` as agent; `to` is dialled as
   * customer when the agent answers.
   */
  async run(req: RunRequest): Promise<{ callId: string }> {
    this.assertRunning();
    const from = parseAddress('from', req.from);
    const to = parseAddress('to', req.to);
    this.checkRoute('from', from);
    this.checkRoute('to', to);
    const live = this.liveCallsOf(req.authId).length;
    if (live >= this.maxPerAccount)
      throw new MpcError(
        'rate-limited',
        `account ${req.authId} has ${live} live calls, the most it may have at once ` +
          `(limits.liveCallsPerAccount = ${this.maxPerAccount}): wait for one to end`,
      );
    const session = this.open(req.authId, req.node, req.runId);
    const agent = session.newMember(from.address, 'agent');
    const run: RunRecord = {
      runId: req.runId,
      phloId: req.node.phloId,
      authId: req.authId,
      payload: JSON.stringify(req.payload),
      createdOn: session.live.record.createdOn,
    };
    await this.create(session, {
      extra: { run },
      request: this.request(req.authId, req.apiId, 'run', req.node, session.live.id, null, {
        ...req.payload,
      }),
      members: [agent],
      events: [session.dialingEvent(agent)],
    });
    session.live.pendingCustomer = to;
    await session.live.queue.run(async () => {
      await session.begin();
      session.dial(agent.memberId, from.dial);
    });
    return { callId: session.live.id };
  }

  /**
   * An inbound call for a node's `incoming` trigger: the caller is answered
   * as the customer (and hears wait music), then the node's agents are
   * dialled. Over the account's live-call cap the caller gets 486.
   */
  async incoming(req: IncomingRequest): Promise<{ callId: string } | null> {
    if (this.stopping) {
      req.leg.reject(503, 'Shutting down');
      return null;
    }
    if (this.liveCallsOf(req.authId).length >= this.maxPerAccount) {
      this.logger.warn(
        { auth_id: req.authId, cap: this.maxPerAccount },
        'inbound call over the account cap',
      );
      req.leg.reject(486, 'Too many calls');
      return null;
    }
    const agents = req.agents.map((a, i) => parseAddress(`agents[${i}]`, a));
    const session = this.open(req.authId, req.node, req.runId);
    const caller = session.newMember(req.leg.address, 'customer');
    const run: RunRecord = {
      runId: req.runId,
      phloId: req.node.phloId,
      authId: req.authId,
      payload: JSON.stringify({ from: req.leg.address, to: req.leg.calledUser ?? '' }),
      createdOn: session.live.record.createdOn,
    };
    await this.create(session, {
      extra: { run },
      members: [{ ...caller, state: 'ringing' }],
      events: [
        {
          type: 'member.incoming',
          memberId: caller.memberId,
          data: { address: caller.address, called: req.leg.calledUser },
        },
      ],
    });
    await session.live.queue.run(async () => {
      const member = session.live.member(caller.memberId)!;
      session.follow(member, req.leg);
      await session.begin();
      if (!(await req.leg.answer(session.live.conference, { role: 'customer' }))) return;
      await session.joined(member, { sip_call_id: req.leg.sipCallId, direction: 'incoming' });
      // A hunt group: every agent rings, the first to answer takes the call.
      for (const agent of agents) {
        const m = await session.addMember(agent, 'agent', {
          data: { trigger_member_id: caller.memberId },
        });
        session.live.ringGroup.add(m.record.memberId);
      }
    });
    return { callId: session.live.id };
  }

  // ---- node actions ------------------------------------------------------------------

  /**
   * Adds `to` to the live call where `trigger_source` is a connected agent
   * (or supervisor): stored, then dialled; the outcome arrives as member
   * state and events.
   */
  async call(req: CallRequest): Promise<void> {
    await this.nodeAction(req, 'call', async (s, actor, to, request) => {
      // A new member would hear the private consultation: it waits for the transfer to end.
      if (s.live.transfer?.kind === 'warm')
        throw new MpcError(
          'conflict',
          'a warm transfer is pending in this call: add members once it is completed, resumed or aborted',
        );
      await s.addMember(to, req.role, {
        request,
        data: { trigger_member_id: actor.record.memberId },
      });
    });
  }

  /** warm_transfer / cold_transfer from `trigger_source` (U1) to `to` (U3). */
  async transfer(req: TransferRequest): Promise<void> {
    await this.nodeAction(req, `${req.kind}_transfer`, (s, actor, to, request) =>
      startTransfer(s, req.kind, actor, to, req.role, request),
    );
  }

  private async nodeAction(
    req: CallRequest,
    action: string,
    apply: (
      s: CallSession,
      actor: LiveMember,
      to: ParsedAddress,
      request: RequestRecord,
    ) => Promise<void>,
  ): Promise<void> {
    this.assertRunning();
    const trigger = parseAddress('trigger_source', req.triggerSource);
    const to = parseAddress('to', req.to);
    this.checkRoute('to', to);
    const session = this.findActor(req.authId, req.node, trigger, req.triggerSource);
    await session.live.queue.run(async () => {
      // Re-checked in the queue: the call may have changed while this waited.
      if (session.live.ended) throw this.callGone(req.node);
      const actor = this.actorIn(session, trigger, req.triggerSource, req.node);
      const present = session.live.liveMembers().find((m) => sameMember(m.record.address, to));
      if (present)
        throw new MpcError(
          'conflict',
          `to ${req.to} is already in this call (${present.record.state} as ${present.record.role})`,
        );
      const count = session.live.liveMembers().length;
      const max = session.node.maxParticipants;
      if (count >= max)
        throw new MpcError(
          'conflict',
          `the call is full: it has ${count} members and node ${req.node.nodeId} allows max_participants ${max}`,
        );
      const request = this.request(req.authId, req.apiId, action, req.node, session.live.id, null, {
        to: req.to,
        role: req.role,
        trigger_source: req.triggerSource,
      });
      await apply(session, actor, to, request);
    });
  }

  // ---- member actions ------------------------------------------------------------

  async memberAction(req: MemberActionRequest): Promise<void> {
    this.assertRunning();
    const target = this.memberTarget(req);
    const session = target.session;
    await session.live.queue.run(async () => {
      if (session.live.ended) throw this.callGone(req.node);
      // Looked up again in the queue: the member may have left while this waited.
      const member = target.find();
      if (!member) throw new MpcError('not-found', target.missing);
      const request = this.request(
        req.authId,
        req.apiId,
        req.action,
        req.node,
        session.live.id,
        member.record.memberId,
        target.data,
      );
      await applyMemberAction(session, member, req.action, request, target.shown);
    });
  }

  /** Where a member action's member is, and how to find it again inside the call's queue. */
  private memberTarget(req: MemberActionRequest): {
    session: CallSession;
    find: () => LiveMember | undefined;
    missing: string;
    shown: string;
    data: Record<string, unknown>;
  } {
    if ('memberAddress' in req) {
      const address = parseAddress('member', req.memberAddress);
      const session = this.findMember(req.authId, req.node, address, req.memberAddress);
      return {
        session,
        find: () =>
          session.live
            .liveMembers()
            .reverse()
            .find((m) => sameMember(m.record.address, address)),
        missing: `member ${req.memberAddress} is not in a live call of node ${req.node.nodeId}`,
        shown: req.memberAddress,
        data: { member: req.memberAddress },
      };
    }
    const session = this.sessions.get(req.callId);
    if (
      !session ||
      session.live.record.authId !== req.authId ||
      nodeKey(session.node) !== nodeKey(req.node)
    )
      throw new MpcError(
        'not-found',
        `call ${req.callId} is not a live call of node ${req.node.nodeId}`,
      );
    const missing = `member ${req.memberId} is not a live member of call ${req.callId}`;
    const find = (): LiveMember | undefined => {
      const m = session.live.member(req.memberId);
      return m && session.live.liveMembers().includes(m) ? m : undefined;
    };
    const member = find();
    if (!member) throw new MpcError('not-found', missing);
    return {
      session,
      find,
      missing,
      shown: member.record.address,
      data: { member_id: req.memberId },
    };
  }

  // ---- sessions ------------------------------------------------------------------

  private open(authId: string, node: NodeSettings, runId: string | null): CallSession {
    const at = this.now();
    const callId = randomUUID();
    const record: CallRecord = {
      callId,
      authId,
      phloId: node.phloId,
      nodeId: node.nodeId,
      runId,
      state: 'initialized',
      createdOn: at,
      startedOn: null,
      endedOn: null,
      endReason: null,
    };
    const conference = this.engine.createConference(callId);
    const live = new LiveCall(record, node, conference, this.store, this.now, this.logger);
    const decorate = this.opts.decorate;
    if (decorate)
      live.decorate = (changes) =>
        decorate(
          live.record,
          node.eventCallbackUrl ?? null,
          changes,
          (id) => live.member(id)?.record,
        );
    live.committed = this.opts.committed ?? null;
    this.follow(live);
    return new CallSession(live, {
      engine: this.engine,
      now: this.now,
      clock: this.clock,
      observer: this.observer,
      recordingsDir: this.opts.recordingsDir ?? null,
      ended: (s) => this.unregister(s),
    });
  }

  /** Stores a new call with its first rows; registers it once stored. */
  private async create(
    session: CallSession,
    rows: Omit<Parameters<LiveCall['change']>[0], 'call'>,
  ): Promise<void> {
    const live = session.live;
    try {
      await live.change({
        ...rows,
        call: live.record,
        events: [
          { type: 'call.initialized', memberId: null, data: { run_id: live.record.runId } },
          ...(rows.events ?? []),
        ],
      });
    } catch (err) {
      await live.conference.close();
      throw err;
    }
    this.register(session);
  }

  // ---- lookups -------------------------------------------------------------------------

  private liveCallsOf(authId: string, node?: NodeSettings): CallSession[] {
    const all = node ? [...(this.byNode.get(nodeKey(node)) ?? [])] : [...this.sessions.values()];
    // Most recent first: an address in two calls acts on the newer one.
    return all
      .filter((s) => s.live.record.authId === authId && !s.live.ended)
      .sort((a, b) => (a.live.record.createdOn < b.live.record.createdOn ? 1 : -1));
  }

  private findActor(
    authId: string,
    node: NodeSettings,
    trigger: ParsedAddress,
    shown: string,
  ): CallSession {
    let seen: CallSession | null = null;
    for (const s of this.liveCallsOf(authId, node)) {
      const found = s.live.liveMembers().filter((m) => sameMember(m.record.address, trigger));
      if (found.length === 0) continue;
      seen ??= s;
      if (found.some((m) => canAct(m))) return s;
    }
    if (!seen)
      throw new MpcError(
        'not-found',
        `trigger_source ${shown} is not a member of a live call of node ${node.nodeId}`,
      );
    // Found, but not as someone who may act: say why.
    this.actorIn(seen, trigger, shown, node);
    return seen;
  }

  private actorIn(
    s: CallSession,
    trigger: ParsedAddress,
    shown: string,
    node: NodeSettings,
  ): LiveMember {
    const found = s.live.liveMembers().filter((m) => sameMember(m.record.address, trigger));
    const actor = found.find((m) => canAct(m));
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
  ): CallSession {
    for (const s of this.liveCallsOf(authId, node)) {
      if (s.live.liveMembers().some((m) => sameMember(m.record.address, address))) return s;
    }
    throw new MpcError('not-found', `member ${shown} is not in a live call of node ${node.nodeId}`);
  }

  private register(s: CallSession): void {
    this.sessions.set(s.live.id, s);
    const key = nodeKey(s.node);
    let set = this.byNode.get(key);
    if (!set) this.byNode.set(key, (set = new Set()));
    set.add(s);
  }

  /** Publishes the call's changes and its members' talking to the feed. */
  private follow(live: LiveCall): void {
    const { callId, authId, phloId, nodeId } = live.record;
    const talking = new TalkingIndicators(
      this.clock,
      this.opts.talkingIntervalMs ?? 250,
      (memberId, talking) =>
        this.feed.publish({
          kind: 'talking',
          call: { callId, authId, phloId, nodeId },
          memberId,
          talking,
        }),
    );
    live.talking = talking;
    live.changed = (events) => {
      // A member that left is not talking any more (said before the change that says it left).
      talking.forgetAllBut((memberId) => live.isLiveMember(memberId));
      if (live.ended) talking.close();
      // The whole call with every member, on every change: built only for someone following.
      if (this.feed.subscribers > 0) this.feed.publish(callChange(live, events));
    };
    const stop = live.conference.onSpeaking?.((legId, speaking) => {
      if (live.ended) return;
      for (const m of live.liveMembers())
        if (m.leg?.id === legId) return talking.update(m.record.memberId, speaking);
    });
    if (stop) live.stopSpeaking = stop;
  }

  private unregister(s: CallSession): void {
    s.live.stopSpeaking();
    s.live.talking?.close();
    this.sessions.delete(s.live.id);
    const key = nodeKey(s.node);
    const set = this.byNode.get(key);
    set?.delete(s);
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

function callChange(live: LiveCall, events: FeedEvent[]): CallChange {
  return {
    kind: 'call',
    call: live.record,
    members: [...live.members.values()].map((m) => m.record),
    talking: live.talking?.talking() ?? [],
    events,
  };
}

function nodeKey(node: NodeSettings): string {
  return `${node.phloId}\0${node.nodeId}`;
}

/** A connected (not held) agent or supervisor may act on the call. */
function canAct(m: LiveMember): boolean {
  return m.record.state === 'connected' && ACTING_ROLES.has(m.record.role);
}
