/**
 * The MPC domain over a test double of the engine (allowed: a unit test of
 * the layer above the one it replaces) and a real in-memory SQLite store:
 * states, events, the errors of each action, and that a rejected request
 * writes nothing. The same flows run over real SIP peers in test/server.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { fdatasync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LegEvents, LegState } from '../../src/engine/index.js';
import {
  MpcError,
  MpcService,
  type Audience,
  type CallFeedUpdate,
  type CallEngine,
  type ConferenceHandle,
  type LegHandle,
  type NodeSettings,
} from '../../src/mpc/index.js';
import { SqliteStore } from '../../src/store/index.js';

class DoubleLeg extends EventEmitter<LegEvents> implements LegHandle {
  readonly id = randomUUID();
  state: LegState = 'dialing';
  sipCallId: string | null = null;
  hungUp: string[] = [];
  constructor(readonly address: string) {
    super();
  }
  hangup(reason = 'hangup'): void {
    this.hungUp.push(reason);
    if (this.state === 'connected') this.endBy('local', reason);
    else if (this.state !== 'ended' && this.state !== 'failed')
      this.failWith({ cause: 'canceled', reason });
  }
  stats(): null {
    return null;
  }
  answer(): void {
    this.state = 'connected';
    this.sipCallId = `sip-${this.id}`;
    this.emit('answered', { codec: 'PCMU', ptime: 20 });
  }
  failWith(f: {
    cause: 'busy' | 'declined' | 'no-answer' | 'unreachable' | 'canceled' | 'failed';
    status?: number;
    reason: string;
  }): void {
    this.state = 'failed';
    this.emit('failed', f);
  }
  endBy(by: 'local' | 'remote', reason = 'BYE'): void {
    this.state = 'ended';
    this.emit('ended', { by, reason });
  }
}

class DoubleConference implements ConferenceHandle {
  held = new Map<string, string | undefined>();
  muted = new Set<string>();
  audiences = new Map<string, Audience>();
  played: { to: string | null; spec: string; mix: boolean }[] = [];
  waitMusic: string | null = null;
  recording: string | null = null;
  recordingPaused = false;
  closed = false;
  /** Resolves plays: each play() waits for the next finish() (or at once when auto). */
  autoFinish = true;
  private pending: (() => void)[] = [];
  constructor(readonly id: string) {}
  setAudience(leg: LegHandle, audience: Audience): boolean {
    this.audiences.set(leg.id, audience);
    return true;
  }
  play(to: LegHandle | null, spec: string, options: { mix?: boolean } = {}): Promise<string> {
    this.played.push({ to: to?.id ?? null, spec, mix: options.mix !== false });
    if (this.autoFinish) return Promise.resolve('finished');
    return new Promise((resolve) => this.pending.push(() => resolve('finished')));
  }
  finish(): void {
    for (const f of this.pending.splice(0)) f();
  }
  async setWaitMusic(spec: string | null): Promise<void> {
    this.waitMusic = spec;
  }
  async startRecording(path: string): Promise<void> {
    this.recording = path;
  }
  pauseRecording(paused: boolean): void {
    this.recordingPaused = paused;
  }
  async stopRecording(): Promise<{ path: string; durationMs: number } | null> {
    const path = this.recording;
    this.recording = null;
    return path ? { path, durationMs: 1234 } : null;
  }
  setMuted(leg: LegHandle, muted: boolean): boolean {
    if (muted) this.muted.add(leg.id);
    else this.muted.delete(leg.id);
    return true;
  }
  setHeld(leg: LegHandle, held: boolean, music?: string): boolean {
    if (held) this.held.set(leg.id, music);
    else this.held.delete(leg.id);
    return true;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  private speakingListeners = new Set<(legId: string, speaking: boolean) => void>();
  onSpeaking(listener: (legId: string, speaking: boolean) => void): () => void {
    this.speakingListeners.add(listener);
    return () => this.speakingListeners.delete(listener);
  }
  /** As the mixer's speaking detection reports a transition. */
  speak(leg: LegHandle, speaking: boolean): void {
    for (const l of this.speakingListeners) l(leg.id, speaking);
  }
}

class DoubleEngine implements CallEngine {
  legs: DoubleLeg[] = [];
  conferences: DoubleConference[] = [];
  checkAddress(address: string): void {
    if (address.includes('nowhere')) throw new Error(`no route to ${address}`);
  }
  createConference(id: string): DoubleConference {
    const c = new DoubleConference(id);
    this.conferences.push(c);
    return c;
  }
  dial(address: string): DoubleLeg {
    const leg = new DoubleLeg(address);
    this.legs.push(leg);
    return leg;
  }
  leg(address: string): DoubleLeg {
    const found = [...this.legs].reverse().find((l) => l.address === address);
    assert.ok(found, `no leg dialled to ${address}`);
    return found;
  }
}

const NODE: NodeSettings = {
  phloId: 'phlo-1',
  nodeId: 'node-1',
  name: 'support',
  callerId: '+15550000000',
  ringTimeoutMs: 30_000,
  maxParticipants: 3,
  agentHoldMusic: 'tone:440',
  customerHoldMusic: 'tone:660',
};
const AUTH = 'MAAAAAAAAAAAAAAAAAAA';

async function setup(store = new SqliteStore({ path: ':memory:' })) {
  await store.open();
  const at = new Date().toISOString();
  await store.createAccount({ authId: AUTH, tokenHash: 'x', name: 'test', createdOn: at });
  await store.createPhlo({
    phloId: NODE.phloId,
    authId: AUTH,
    name: 'p',
    document: '{}',
    version: 1,
    createdOn: at,
    updatedOn: at,
  });
  const engine = new DoubleEngine();
  const mpc = new MpcService({ store, engine });
  const run = async (from = '+14155550100', to = '+14155550101') => {
    const { callId } = await mpc.run({
      authId: AUTH,
      apiId: randomUUID(),
      runId: randomUUID(),
      node: NODE,
      payload: { from, to },
      from,
      to,
    });
    return callId;
  };
  const action = (
    triggerSource: string,
    to: string,
    role: 'agent' | 'customer' | 'supervisor' = 'agent',
  ) => mpc.call({ authId: AUTH, apiId: randomUUID(), node: NODE, to, role, triggerSource });
  const member = (memberAddress: string, act: 'hold' | 'unhold' | 'mute' | 'unmute' | 'hangup') =>
    mpc.memberAction({ authId: AUTH, apiId: randomUUID(), node: NODE, memberAddress, action: act });
  return { store, engine, mpc, run, action, member };
}

async function rejects(p: Promise<unknown>, kind: string, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof MpcError, `expected MpcError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    assert.match(err.message, pattern);
    return true;
  });
}

test('a run dials the agent, then the customer when the agent answers; events are stored in order', async () => {
  const { store, engine, mpc, run } = await setup();
  const callId = await run();
  assert.equal(engine.legs.length, 1);
  const agent = engine.leg('+14155550100');
  agent.emit('ringing');
  agent.answer();
  await mpc.idle();
  assert.equal(engine.legs.length, 2, 'the customer is dialled once the agent answered');
  engine.leg('+14155550101').answer();
  await mpc.idle();
  const call = await store.getCall(callId);
  assert.equal(call?.state, 'active');
  const members = await store.members(callId);
  assert.deepEqual(
    members.map((m) => [m.address, m.role, m.state]),
    [
      ['+14155550100', 'agent', 'connected'],
      ['+14155550101', 'customer', 'connected'],
    ],
  );
  const events = (await store.events(callId)).map((e) => e.type);
  assert.deepEqual(events, [
    'call.initialized',
    'member.dialing',
    'member.ringing',
    'member.connected',
    'call.active',
    'member.dialing',
    'member.connected',
  ]);
  const requests = await store.requests(callId);
  assert.deepEqual(
    requests.map((r) => r.action),
    ['run'],
  );
});

test('call: adds a member; errors for a bad trigger, a duplicate, a full call, bad addresses — nothing stored', async () => {
  const { store, engine, mpc, run, action } = await setup();
  const callId = await run();
  engine.leg('+14155550100').answer();
  await mpc.idle();
  engine.leg('+14155550101').answer();
  await mpc.idle();
  const before = (await store.events(callId)).length;

  await rejects(
    action('+19998887777', 'sip:bob@127.0.0.1'),
    'not-found',
    /not a member of a live call/,
  );
  await rejects(
    action('+14155550101', 'sip:bob@127.0.0.1'),
    'conflict',
    /not a connected agent.*role is customer/,
  );
  await rejects(action('14155550100', 'abc'), 'validation', /to: /);
  await rejects(action('14155550100', '+1 415 555 0101'), 'conflict', /already in this call/);
  await rejects(action('14155550100', 'sip:bob@nowhere.invalid'), 'validation', /no route/);
  await rejects(action('not a number', 'sip:bob@127.0.0.1'), 'validation', /trigger_source/);
  assert.equal((await store.events(callId)).length, before, 'rejected requests store nothing');

  // The trigger source matches with or without +, spaces or dashes.
  await action('1-415-555-0100', 'SIP:Bob@127.0.0.1', 'customer');
  const bob = engine.leg('sip:Bob@127.0.0.1');
  bob.emit('ringing');
  await mpc.idle();
  await rejects(
    action('+14155550100', 'sip:carol@127.0.0.1'),
    'conflict',
    /call is full.*max_participants 3/,
  );
  bob.failWith({ cause: 'busy', status: 486, reason: '486 Busy Here' });
  await mpc.idle();
  const members = await store.members(callId);
  const failed = members.find((m) => m.address === 'sip:Bob@127.0.0.1');
  assert.equal(failed?.state, 'failed');
  assert.equal(failed?.hangupCause, 'busy');
  assert.equal(failed?.sipStatus, 486);
  assert.deepEqual(
    (await store.requests(callId)).map((r) => r.action),
    ['run', 'call'],
  );
});

test('member actions: hold/unhold with role music, mute/unmute, hangup; 409 in the wrong state', async () => {
  const { store, engine, mpc, run, member } = await setup();
  const callId = await run();
  engine.leg('+14155550100').answer();
  await mpc.idle();
  const customer = engine.leg('+14155550101');
  await rejects(member('+14155550101', 'hold'), 'conflict', /not connected yet \(it is dialing\)/);
  customer.answer();
  await mpc.idle();
  const conf = engine.conferences[0];

  await member('+14155550101', 'hold');
  assert.equal(conf.held.get(customer.id), 'tone:660');
  await rejects(member('+14155550101', 'hold'), 'conflict', /already on hold/);
  await member('+14155550101', 'unhold');
  assert.equal(conf.held.has(customer.id), false);
  await rejects(member('+14155550101', 'unhold'), 'conflict', /not on hold/);
  await member('14155550101', 'mute');
  assert.ok(conf.muted.has(customer.id));
  await rejects(member('+14155550101', 'mute'), 'conflict', /already muted/);
  await member('+14155550101', 'unmute');
  await rejects(member('+19990000000', 'hold'), 'not-found', /not in a live call/);

  await member('+14155550101', 'hangup');
  assert.deepEqual(customer.hungUp, ['hangup requested']);
  await mpc.idle();
  const m = (await store.members(callId)).find((x) => x.address === '+14155550101');
  assert.equal(m?.state, 'disconnected');
  assert.equal(m?.hangupCause, 'hangup');
  // The call keeps the member's record for its lifetime, not its ended leg (and the leg's buffers).
  type Kept = { record: { state: string }; leg: LegHandle | null };
  const sessions = (
    mpc as unknown as { sessions: Map<string, { live: { member(id: string): Kept | undefined } }> }
  ).sessions;
  const left = sessions.get(callId)?.live.member(m!.memberId);
  assert.equal(left?.record.state, 'disconnected');
  assert.equal(left?.leg, null);
  const types = (await store.events(callId)).map((e) => e.type);
  for (const t of [
    'member.held',
    'member.unheld',
    'member.muted',
    'member.unmuted',
    'member.hangup-requested',
    'member.disconnected',
  ])
    assert.ok(types.includes(t), `${t} recorded`);
  assert.equal((await store.getCall(callId))?.state, 'active', 'the agent is still there');
});

test('the call ends when the last agent leaves: the others are hung up, the conference closed', async () => {
  const { store, engine, mpc, run } = await setup();
  const callId = await run();
  const agent = engine.leg('+14155550100');
  agent.answer();
  await mpc.idle();
  const customer = engine.leg('+14155550101');
  customer.answer();
  await mpc.idle();
  agent.endBy('remote');
  await mpc.idle();
  const call = await store.getCall(callId);
  assert.equal(call?.state, 'ended');
  assert.equal(call?.endReason, 'last-agent-left');
  assert.deepEqual(customer.hungUp, ['last-agent-left']);
  assert.ok(engine.conferences[0].closed);
  const members = await store.members(callId);
  assert.deepEqual(
    members.map((m) => [m.state, m.hangupCause]),
    [
      ['disconnected', 'remote-hangup'],
      ['disconnected', 'last-agent-left'],
    ],
  );
  assert.equal(mpc.stats().liveCalls, 0);
});

test('an agent that never answers ends the call; the customer is never dialled', async () => {
  const { store, engine, mpc, run } = await setup();
  const callId = await run();
  engine.leg('+14155550100').failWith({ cause: 'no-answer', reason: 'ring timeout' });
  await mpc.idle();
  assert.equal(engine.legs.length, 1);
  const call = await store.getCall(callId);
  assert.equal(call?.state, 'ended');
  assert.equal(call?.endReason, 'everyone-left');
});

test('reconcile ends calls left live by a dead process; shutdown ends live ones', async () => {
  const { store, engine, mpc, run } = await setup();
  const callId = await run();
  engine.leg('+14155550100').answer();
  await mpc.idle();
  // A second service over the same store plays the restarted process.
  const restarted = new MpcService({ store, engine: new DoubleEngine() });
  assert.equal(await restarted.reconcile(), 1);
  const call = await store.getCall(callId);
  assert.equal(call?.endReason, 'server-restart');
  const members = await store.members(callId);
  assert.deepEqual(
    members.map((m) => [m.state, m.hangupCause]),
    [
      ['disconnected', 'server-restart'],
      ['failed', 'server-restart'],
    ],
  );

  const { store: s2, engine: e2, mpc: m2, run: run2 } = await setup();
  const id2 = await run2();
  e2.leg('+14155550100').answer();
  await m2.idle();
  await m2.shutdown();
  assert.equal((await s2.getCall(id2))?.endReason, 'server-shutdown');
  assert.ok(e2.leg('+14155550100').hungUp.includes('server-shutdown'));
  await rejects(run2(), 'unavailable', /shutting down/);
});

test('actions on one call are serialised: two adds racing for the last seat give one 201 and one 409', async () => {
  const { engine, mpc, run, action } = await setup();
  await run();
  engine.leg('+14155550100').answer();
  await mpc.idle();
  engine.leg('+14155550101').answer();
  await mpc.idle();
  // max_participants 3: one seat left, two requests at once.
  const results = await Promise.allSettled([
    action('+14155550100', 'sip:one@127.0.0.1'),
    action('+14155550100', 'sip:two@127.0.0.1'),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected'],
  );
  const err = (results[1] as PromiseRejectedResult).reason as MpcError;
  assert.equal(err.kind, 'conflict');
  assert.match(err.message, /call is full/);
  assert.equal(engine.legs.length, 3);
});

test('calls never wait for each other: a call whose store writes stall does not hold up another', async () => {
  const { store, engine, mpc, run } = await setup();
  const slowCall = await run('+14155550100', '+14155550101');
  await run('+14155550200', '+14155550201');
  // From now on, writes about the first call hang until released.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const commit = store.commit.bind(store);
  store.commit = async (changes, written) => {
    if (changes.events?.some((e) => e.callId === slowCall)) await gate;
    return commit(changes, written);
  };
  engine.leg('+14155550100').answer();
  engine.leg('+14155550200').answer();
  // The second call moves on (its customer is dialled) while the first is stuck.
  for (let i = 0; i < 100 && !engine.legs.some((l) => l.address === '+14155550201'); i++)
    await new Promise((r) => setImmediate(r));
  assert.ok(
    engine.legs.some((l) => l.address === '+14155550201'),
    'the other call was not held up',
  );
  assert.ok(
    !engine.legs.some((l) => l.address === '+14155550101'),
    'the stalled call is still waiting',
  );
  release();
  await mpc.idle();
  assert.ok(engine.legs.some((l) => l.address === '+14155550101'));
});

test('an added member is dialled once its write is on disk, before the action is acknowledged; a failed sync dials no one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'partyline-mpc-'));
  // The WAL's fdatasync, held open on demand (the store syncs on libuv's pool: wal-sync.ts).
  let hold = false;
  const held: ((err?: NodeJS.ErrnoException) => void)[] = [];
  const store = new SqliteStore({
    path: join(dir, 'partyline.db'),
    fdatasync: (fd, done) =>
      hold ? held.push((err) => (err ? done(err) : fdatasync(fd, done))) : fdatasync(fd, done),
  });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { engine, mpc, run, action, member } = await setup(store);
  const callId = await run();
  engine.leg('+14155550100').answer();
  await mpc.idle();
  engine.leg('+14155550101').answer();
  await mpc.idle();

  const dialled = (address: string): boolean => engine.legs.some((l) => l.address === address);
  hold = true;
  let acknowledged = false;
  const added = action('+14155550100', 'sip:carol@127.0.0.1').then(() => {
    acknowledged = true;
    // The dial has started by the time the request is acknowledged.
    assert.ok(dialled('sip:carol@127.0.0.1'), 'acknowledged before the dial started');
  });
  for (let i = 0; i < 100 && held.length === 0; i++) await new Promise((r) => setImmediate(r));
  assert.equal(held.length, 1, "the member's write is syncing");
  const members = await store.members(callId);
  assert.equal(members.find((m) => m.address === 'sip:carol@127.0.0.1')?.state, 'dialing');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(dialled('sip:carol@127.0.0.1'), false, 'dialled before the write was on disk');
  assert.equal(acknowledged, false, 'acknowledged before the write was on disk');
  hold = false;
  for (const go of held.splice(0)) go();
  await added;
  assert.ok(acknowledged);

  // A write that never reaches the disk rings no phone (carol leaves first: the call holds 3).
  await member('sip:carol@127.0.0.1', 'hangup');
  await mpc.idle();
  hold = true;
  const failing = action('+14155550100', 'sip:dave@127.0.0.1');
  for (let i = 0; i < 100 && held.length < 1; i++) await new Promise((r) => setImmediate(r));
  assert.equal(held.length, 1, "dave's write is syncing");
  hold = false;
  for (const fail of held.splice(0))
    fail(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
  await assert.rejects(failing);
  assert.equal(dialled('sip:dave@127.0.0.1'), false, 'dialled although the write failed');
  // Nor does it stay "dialing" with no leg: it failed, so a retry of the same `to` dials.
  await mpc.idle();
  const dave = (await store.members(callId)).find((m) => m.address === 'sip:dave@127.0.0.1');
  assert.equal(dave?.state, 'failed');
  assert.equal(dave?.hangupCause, 'failed');
  const failed = (await store.events(callId)).find(
    (e) => e.type === 'member.failed' && e.memberId === dave?.memberId,
  );
  assert.match(failed?.data ?? '', /the store could not confirm the member's write \(.*EIO/);
  await action('+14155550100', 'sip:dave@127.0.0.1');
  assert.ok(dialled('sip:dave@127.0.0.1'), 'the retry was not dialled');
});

test('unhold of a member held by the API and by a warm transfer is a 409 that changes nothing; after the transfer it works', async () => {
  const { store, engine, mpc, run, member } = await setup();
  const callId = await run();
  engine.leg('+14155550100').answer();
  await mpc.idle();
  const customer = engine.leg('+14155550101');
  customer.answer();
  await mpc.idle();
  const conf = engine.conferences[0];
  await member('+14155550101', 'hold');
  await mpc.transfer({
    authId: AUTH,
    apiId: randomUUID(),
    node: NODE,
    kind: 'warm',
    to: 'sip:u3@127.0.0.1',
    role: 'agent',
    triggerSource: '+14155550100',
  });
  await mpc.idle();
  const before = (await store.events(callId)).length;
  await rejects(
    member('+14155550101', 'unhold'),
    'conflict',
    /also on hold for a pending transfer: unhold it once the transfer has ended/,
  );
  assert.equal((await store.events(callId)).length, before, 'nothing stored');
  assert.ok(conf.held.has(customer.id), 'still hearing hold music');

  // The transfer given up: the API hold is still there, and unhold lifts it.
  await mpc.memberAction({
    authId: AUTH,
    apiId: randomUUID(),
    node: NODE,
    memberAddress: '+14155550100',
    action: 'abort_transfer',
  });
  await mpc.idle();
  assert.ok(conf.held.has(customer.id), 'held by the API still');
  await member('+14155550101', 'unhold');
  assert.equal(conf.held.has(customer.id), false);
});

test('a member action by call and member id acts on exactly that member; unknown ids are not-found', async () => {
  const { store, engine, mpc, run } = await setup();
  const callId = await run();
  engine.leg('+14155550100').answer();
  await mpc.idle();
  engine.leg('+14155550101').answer();
  await mpc.idle();
  const customer = (await store.members(callId)).find((m) => m.address === '+14155550101');
  const byId = (cid: string, memberId: string) =>
    mpc.memberAction({
      authId: AUTH,
      apiId: randomUUID(),
      node: NODE,
      callId: cid,
      memberId,
      action: 'mute',
    });
  await byId(callId, String(customer?.memberId));
  assert.equal(
    (await store.members(callId)).find((m) => m.memberId === customer?.memberId)?.muted,
    true,
  );
  await rejects(byId(callId, 'nope'), 'not-found', /member nope is not a live member of call/);
  await rejects(
    byId('nope', String(customer?.memberId)),
    'not-found',
    /call nope is not a live call of node/,
  );
  await rejects(
    mpc.memberAction({
      authId: 'MAOTHERACCOUNT000001',
      apiId: randomUUID(),
      node: NODE,
      callId,
      memberId: String(customer?.memberId),
      action: 'mute',
    }),
    'not-found',
    /is not a live call of node/,
  );
});

test('the live feed: every stored change of a call in order, and who talks, until it ends', async () => {
  const { store, engine, mpc, run, member } = await setup();
  const updates: CallFeedUpdate[] = [];
  const stop = mpc.feed.subscribe((u) => updates.push(u));
  const callId = await run();
  engine.leg('+14155550100').answer();
  await mpc.idle();
  engine.leg('+14155550101').answer();
  await mpc.idle();
  const changes = () => updates.filter((u) => u.kind === 'call');
  const last = changes().at(-1)!;
  assert.deepEqual(
    last.members.map((m) => m.state),
    ['connected', 'connected'],
  );
  // The feed's events are the stored ones, in the stored order.
  assert.deepEqual(
    changes().flatMap((c) => c.events.map((e) => e.type)),
    (await store.events(callId)).map((e) => e.type),
  );
  const [agentId, customerId] = last.members.map((m) => m.memberId);

  const conference = engine.conferences[0];
  conference.speak(engine.leg('+14155550100'), true);
  conference.speak(engine.leg('+14155550101'), true);
  assert.deepEqual(
    updates.filter((u) => u.kind === 'talking').map((u) => [u.memberId, u.talking]),
    [
      [agentId, true],
      [customerId, true],
    ],
  );
  assert.deepEqual(mpc.liveCalls(AUTH)[0].talking.sort(), [agentId, customerId].sort());
  assert.deepEqual(
    mpc.liveCalls('MAOTHER0000000000000'),
    [],
    "another account's calls are not shown",
  );

  // The customer leaves: it stops talking (before the change that says it left).
  await member('+14155550101', 'hangup');
  await mpc.idle();
  const afterHangup = updates.slice(updates.findIndex((u) => u.kind === 'talking' && !u.talking));
  assert.deepEqual(afterHangup[0], {
    kind: 'talking',
    call: { callId, authId: AUTH, phloId: NODE.phloId, nodeId: NODE.nodeId },
    memberId: customerId,
    talking: false,
  });
  assert.equal(changes().at(-1)!.call.state, 'active');
  assert.deepEqual(changes().at(-1)!.talking, [agentId]);
  // The agent leaves too: the call ends, and nobody is shown talking in it.
  await member('+14155550100', 'hangup');
  await mpc.idle();
  assert.deepEqual(
    updates.filter((u) => u.kind === 'talking').map((u) => [u.memberId, u.talking]),
    [
      [agentId, true],
      [customerId, true],
      [customerId, false],
      [agentId, false],
    ],
  );
  const end = changes().at(-1)!;
  assert.equal(end.call.state, 'ended');
  assert.deepEqual(end.talking, []);
  const before = updates.length;
  conference.speak(engine.leg('+14155550100'), true);
  assert.equal(updates.length, before, 'an ended call publishes no talking');
  assert.deepEqual(mpc.liveCalls(AUTH), []);
  stop();
});
