/**
 * Warm and cold transfers (DESIGN.md §2), as transitions of the Transfer
 * state (transfer.ts) driven by requests and by the members' legs.
 */
import type { RequestRecord, MemberRole } from '../store/index.js';
import type { CallSession } from './call-session.js';
import { MpcError } from './errors.js';
import type { LiveMember, PendingEvent } from './live-call.js';
import type { Transfer, TransferKind } from './transfer.js';

function conflict(message: string): MpcError {
  return new MpcError('conflict', message);
}

/**
 * Starts a transfer from `u1` to a new member at `target`. Warm: U2 go on
 * hold (their role's hold music), U3 is dialled, U1 and U3 will talk
 * privately. Cold: U1 leaves at once; U2 hear hold music until U3 answers.
 */
export async function startTransfer(
  s: CallSession,
  kind: TransferKind,
  u1: LiveMember,
  target: { address: string; dial: string },
  role: MemberRole,
  request: RequestRecord,
): Promise<void> {
  const live = s.live;
  if (live.transfer)
    throw conflict(
      `a ${live.transfer.kind} transfer is already pending in this call (to ${live.member(live.transfer.u3)?.record.address}); abort_transfer it first`,
    );
  // A member being left a voicemail message is leaving: not someone to transfer (nor to hold).
  const u2 = live.joined().filter((m) => m !== u1 && !m.voicemail);
  if (u2.length === 0) throw conflict('there is nobody else in the call to transfer');
  const u3 = s.newMember(target.address, role);
  const transfer: Transfer = {
    kind,
    phase: 'dialing',
    u1: u1.record.memberId,
    u3: u3.memberId,
    u2: u2.map((m) => m.record.memberId),
    apiId: request.apiId,
  };
  live.transfer = transfer;
  await live.change({
    request,
    members: [u3],
    events: [
      s.dialingEvent(u3, { trigger_member_id: u1.record.memberId }),
      {
        type: 'transfer.started',
        memberId: u1.record.memberId,
        data: { kind, to: target.address, target_member_id: u3.memberId, others: transfer.u2 },
      },
    ],
  });
  // The consultation is not part of the call's recording.
  if (kind === 'warm') live.conference.pauseRecording(true);
  for (const m of u2) {
    m.transferHeld = true;
    await s.applyHold(m, {
      events: [{ type: 'member.held', memberId: m.record.memberId, data: { by: 'transfer' } }],
    });
  }
  if (kind === 'cold') {
    u1.endCause = 'transferred';
    u1.leg?.hangup('cold transfer');
  }
  s.dial(u3.memberId, target.dial);
}

/** U3 answered: a warm transfer's consultation begins; a cold one completes. */
export async function onTargetAnswered(s: CallSession, u3: LiveMember): Promise<void> {
  const t = s.live.transfer;
  if (!t || t.u3 !== u3.record.memberId) return;
  if (t.kind === 'cold') return complete(s, t, 'transfer.completed');
  t.phase = 'consulting';
  await s.live.change({
    events: [{ type: 'transfer.answered', memberId: t.u1, data: { target_member_id: t.u3 } }],
  });
}

/** A member left while a transfer is pending. */
export async function onTransferMemberLeft(
  s: CallSession,
  member: LiveMember,
  why: { cause: string; status?: number },
): Promise<void> {
  const t = s.live.transfer;
  if (!t) return;
  const id = member.record.memberId;
  if (id === t.u3) {
    // The target failed or hung up before the transfer completed.
    if (t.kind === 'cold' && t.phase === 'dialing') return coldFailed(s, t, why);
    return back(s, t, 'transfer.failed', {
      cause: why.cause,
      ...(why.status ? { status: why.status } : {}),
    });
  }
  if (id === t.u1 && t.kind === 'warm') {
    if (t.phase === 'consulting') return complete(s, t, 'transfer.completed');
    // U1 left before U3 answered: the others wait for U3 as in a cold transfer.
    t.kind = 'cold';
    await s.live.change({
      events: [{ type: 'transfer.unattended', memberId: t.u1, data: { target_member_id: t.u3 } }],
    });
    return;
  }
  t.u2 = t.u2.filter((m) => m !== id);
  if (t.kind === 'cold' && t.phase === 'dialing' && t.u2.length === 0) {
    // U1 is gone and now so are the others: U3 would answer into an empty call. Give it up.
    const u3 = s.live.member(t.u3);
    if (u3) u3.endCause = 'transfer-aborted';
    s.live.transfer = null;
    s.live.conference.pauseRecording(false);
    await s.live.change({
      events: [
        {
          type: 'transfer.aborted',
          memberId: t.u1,
          data: { target_member_id: t.u3, cause: 'others-left' },
        },
      ],
    });
    u3?.leg?.hangup('nobody left to transfer to');
  }
}

/** abort_transfer by U1: U3's leg is canceled or hung up; U1 and U2 are together again. */
export async function abortTransfer(
  s: CallSession,
  u1: LiveMember,
  request: RequestRecord,
  shown: string,
): Promise<void> {
  const t = s.live.transfer;
  if (!t) throw conflict(`there is no transfer to abort in this call`);
  if (t.u1 !== u1.record.memberId || t.kind !== 'warm')
    throw conflict(
      `member ${shown} did not start the pending ${t.kind} transfer: only its initiator can abort it`,
    );
  const u3 = s.live.member(t.u3);
  if (u3) u3.endCause = 'transfer-aborted';
  await back(s, t, 'transfer.aborted', {}, request);
  u3?.leg?.hangup('transfer aborted');
}

/** resume_call by U1: the consultation ends and U1, U2 and U3 all talk together. */
export async function resumeCall(
  s: CallSession,
  u1: LiveMember,
  request: RequestRecord,
  shown: string,
): Promise<void> {
  const t = s.live.transfer;
  if (!t || t.kind !== 'warm') throw conflict('there is no consultation to resume in this call');
  if (t.u1 !== u1.record.memberId)
    throw conflict(
      `member ${shown} did not start the pending warm transfer: only its initiator can resume the call`,
    );
  if (t.phase !== 'consulting')
    throw conflict(`the transfer target has not answered yet: abort_transfer to give it up`);
  await complete(s, t, 'transfer.resumed', request);
}

/** Ends the transfer with everyone together (U3 in the call). */
async function complete(
  s: CallSession,
  t: Transfer,
  type: string,
  request?: RequestRecord,
): Promise<void> {
  s.live.transfer = null;
  await s.live.change({
    request,
    events: [{ type, memberId: t.u1, data: { target_member_id: t.u3 } }],
  });
  await release(s, t);
}

/** Ends the transfer without U3: U2 leave hold, back with U1. */
async function back(
  s: CallSession,
  t: Transfer,
  type: string,
  data: Record<string, unknown>,
  request?: RequestRecord,
): Promise<void> {
  s.live.transfer = null;
  await s.live.change({
    request,
    events: [{ type, memberId: t.u1, data: { target_member_id: t.u3, ...data } }],
  });
  await release(s, t);
}

async function release(s: CallSession, t: Transfer): Promise<void> {
  s.live.conference.pauseRecording(false);
  for (const id of t.u2) {
    const m = s.live.member(id);
    if (!m || !m.transferHeld) continue;
    m.transferHeld = false;
    await s.applyHold(m, { events: unheldByTransfer(m) });
  }
  await s.checkEnd();
}

/** The event of a transfer's hold ending: none while a hold action still holds the member. */
function unheldByTransfer(m: LiveMember): PendingEvent[] {
  return m.apiHeld
    ? []
    : [{ type: 'member.unheld', memberId: m.record.memberId, data: { by: 'transfer' } }];
}

/** A cold transfer's target failed: the node's policy (announcement to the others, then end or go on). */
async function coldFailed(
  s: CallSession,
  t: Transfer,
  why: { cause: string; status?: number },
): Promise<void> {
  const policy = s.node.coldTransferFailure ?? { message: null, then: 'end' as const };
  s.live.transfer = null;
  // A warm transfer turned cold (U1 left first) paused the recording for its consultation.
  s.live.conference.pauseRecording(false);
  await s.live.change({
    events: [
      {
        type: 'transfer.failed',
        memberId: t.u1,
        data: {
          target_member_id: t.u3,
          cause: why.cause,
          ...(why.status ? { status: why.status } : {}),
          then: policy.then,
        },
      },
    ],
  });
  const others = t.u2.map((id) => s.live.member(id)).filter((m): m is LiveMember => !!m && !!m.leg);
  for (const m of others) {
    if (!m.transferHeld) continue;
    m.transferHeld = false;
    // As release(): the transfer's hold ends, and the log says so (unless a hold action keeps it).
    await s.applyHold(m, { events: unheldByTransfer(m) });
  }
  const after = async (): Promise<void> => {
    s.live.announcing = false;
    if (policy.then === 'end') return s.endCall('transfer-failed');
    await s.checkEnd();
  };
  if (!policy.message || others.length === 0) return after();
  // The announcement replaces what they hear. The call's queue is not held while it plays;
  // nothing ends the call under it (checkEnd waits for it).
  const message = policy.message;
  s.live.announcing = true;
  void Promise.all(
    others.map((m) => s.live.conference.play(m.leg, message, { mix: false }).catch(() => 'error')),
  ).then(() => s.enqueue(after, 'finish a failed cold transfer'));
}
