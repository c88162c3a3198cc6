/**
 * Following a dial through the API: find the member an action added (the
 * action answers only `{api_id, error}`), then poll its call and report
 * each state it passes through (dialing, ringing, connected, …) until it
 * connects, fails, or the time is up. Polls `getCall` every `intervalMs`
 * (the SDK's reads; the server has no push endpoint the SDK speaks yet) and
 * reports the member's `member.*` events, so no state is missed between polls.
 */
import type { Call, CallDetail, CallMember, MemberState, MultiPartyCall } from '@partyline/client';
import { CliError } from './errors.js';
import type { Progress } from './progress.js';
import { serverTime } from './table.js';

export interface FollowOptions {
  timeoutMs: number;
  /** Poll period, ms (default 200). */
  intervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** A state a member passed through (its `member.*` event: dialing, ringing, connected, …) and when. */
export interface Step {
  memberId: string;
  event: string;
  /** The server's time of the event. */
  at: string;
}

export interface Followed {
  callId: string;
  member: CallMember;
  steps: Step[];
}

const ENDED: readonly MemberState[] = ['failed', 'disconnected'];
const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The ids of every member of the node's live calls: what was there before an action. */
export async function liveMemberIds(mpc: MultiPartyCall): Promise<Set<string>> {
  const calls = await mpc.calls({ live: true });
  return new Set(calls.flatMap((c) => c.members.map((m) => m.memberId)));
}

/** The user part or number of an address, for matching what was typed against what the server stored. */
function addressKey(address: string): string {
  return address
    .replace(/^sips?:/i, '')
    .replace(/[@;:].*$/, '')
    .replace(/[^\w+.-]/g, '');
}

/**
 * Waits for a member not in `known` to appear in a live call of the node;
 * of several, the one whose address matches `to`.
 */
export async function newMember(
  mpc: MultiPartyCall,
  known: ReadonlySet<string>,
  to: string,
  opts: FollowOptions,
): Promise<{ call: Call; member: CallMember }> {
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.timeoutMs;
  for (;;) {
    const found = (await mpc.calls({ live: true })).flatMap((call) =>
      call.members.filter((m) => !known.has(m.memberId)).map((member) => ({ call, member })),
    );
    const best = found.find((f) => addressKey(f.member.address) === addressKey(to)) ?? found[0];
    if (best) return best;
    if (now() >= deadline)
      throw new CliError(`no new member for ${to} appeared in the node's live calls`);
    await (opts.sleep ?? sleepMs)(opts.intervalMs ?? 200);
  }
}

/**
 * Prints the `member.*` events of `call` after `afterSeq` that `wanted`
 * accepts (each state the server recorded, with its time, so a state
 * passed between two polls is still shown); returns the last seq seen.
 */
function reportMemberEvents(
  call: CallDetail,
  afterSeq: number,
  wanted: (memberId: string) => boolean,
  progress: Progress,
  steps: Step[],
): number {
  let last = afterSeq;
  for (const e of call.events) {
    if (e.seq <= afterSeq) continue;
    last = Math.max(last, e.seq);
    if (!e.memberId || !wanted(e.memberId) || !e.type.startsWith('member.')) continue;
    const m = call.members.find((x) => x.memberId === e.memberId);
    const what = e.type.slice('member.'.length);
    steps.push({ memberId: e.memberId, event: what, at: e.at });
    progress.line(
      `${m?.address ?? e.memberId}  ${what}${m && isEnd(what) ? why(m) : ''}`,
      serverTime(e.at),
    );
  }
  return last;
}

const isEnd = (event: string): boolean => event === 'failed' || event === 'disconnected';

/**
 * Polls the call, printing the `member.*` events `wanted` accepts, until
 * `check` returns a result (or throws: a failure); past the deadline, fails
 * with what `waitingFor` says is still awaited.
 */
async function pollCall<T>(
  mpc: MultiPartyCall,
  callId: string,
  wanted: (memberId: string) => boolean,
  progress: Progress,
  opts: FollowOptions,
  check: (call: CallDetail, steps: Step[]) => T | undefined,
  waitingFor: (call: CallDetail) => string,
): Promise<T> {
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.timeoutMs;
  const steps: Step[] = [];
  let seq = 0;
  try {
    for (;;) {
      const call = await mpc.getCall(callId);
      seq = reportMemberEvents(call, seq, wanted, progress, steps);
      progress.waiting(waitingFor(call));
      const result = check(call, steps);
      if (result !== undefined) return result;
      if (now() >= deadline)
        throw new CliError(
          `still waiting for ${waitingFor(call)} after ${Math.round(opts.timeoutMs / 1000)} s ` +
            '(--timeout sets how long to wait)',
        );
      await (opts.sleep ?? sleepMs)(opts.intervalMs ?? 200);
    }
  } finally {
    progress.done();
  }
}

/** Reports the member's states until it is connected (resolves) or failed/disconnected (throws, exit 1). */
export function followMember(
  mpc: MultiPartyCall,
  callId: string,
  memberId: string,
  progress: Progress,
  opts: FollowOptions,
): Promise<Followed> {
  const memberOf = (call: CallDetail): CallMember => {
    const m = call.members.find((x) => x.memberId === memberId);
    if (!m) throw new CliError(`member ${memberId} is not in call ${callId}`);
    return m;
  };
  return pollCall(
    mpc,
    callId,
    (id) => id === memberId,
    progress,
    opts,
    (call, steps) => {
      const m = memberOf(call);
      if (m.state === 'connected' || m.state === 'on_hold') return { callId, member: m, steps };
      if (ENDED.includes(m.state)) throw new CliError(`${m.address} ${m.state}${why(m)}`);
      return undefined;
    },
    (call) => `${memberOf(call).address} ${memberOf(call).state}`,
  );
}

/**
 * Reports every member's states in a call until a member for each of
 * `expected` (the run's `from` and `to`: a PHLO dials `to` only once `from`
 * has answered) is connected and nobody is still being dialled (resolves),
 * or one fails or the call ends (throws, exit 1).
 */
export function followCall(
  mpc: MultiPartyCall,
  callId: string,
  expected: readonly string[],
  progress: Progress,
  opts: FollowOptions,
): Promise<{ call: Call; steps: Step[] }> {
  const pending = (call: CallDetail): CallMember[] =>
    call.members.filter((m) => m.state !== 'connected');
  return pollCall(
    mpc,
    callId,
    () => true,
    progress,
    opts,
    (call, steps) => {
      const failed = call.members.find((m) => ENDED.includes(m.state));
      if (failed) throw new CliError(`${failed.address} ${failed.state}${why(failed)}`);
      if (call.state === 'ended')
        throw new CliError(`call ${callId} ended${call.endReason ? `: ${call.endReason}` : ''}`);
      const present = expected.every((to) =>
        call.members.some((m) => addressKey(m.address) === addressKey(to)),
      );
      return present && call.members.length > 0 && pending(call).length === 0
        ? { call, steps }
        : undefined;
    },
    (call) =>
      pending(call)
        .map((m) => `${m.address} ${m.state}`)
        .join(', ') || `members of call ${callId}`,
  );
}

/** ` (busy, SIP 486)`: why a member left, when it has. */
function why(m: CallMember): string {
  const parts = [m.hangupCause, m.sipStatus ? `SIP ${m.sipStatus}` : ''].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
