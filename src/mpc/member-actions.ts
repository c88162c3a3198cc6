/**
 * The member actions (`POST …/members/{address}`): what each does to the
 * member, and in which states it cannot apply (409 with the reason,
 * nothing changed).
 */
import type { RequestRecord } from '../store/index.js';
import type { CallSession } from './call-session.js';
import { MpcError } from './errors.js';
import type { LiveMember } from './live-call.js';
import { abortTransfer, resumeCall } from './transfers.js';
import type { MemberActionName } from './types.js';

function conflict(message: string): MpcError {
  return new MpcError('conflict', message);
}

function joined(m: LiveMember): boolean {
  return m.record.state === 'connected' || m.record.state === 'on_hold';
}

function notConnected(shown: string, m: LiveMember): MpcError {
  return conflict(
    `member ${shown} is not connected yet (it is ${m.record.state.replace('_', ' ')})`,
  );
}

export async function applyMemberAction(
  s: CallSession,
  member: LiveMember,
  action: MemberActionName,
  request: RequestRecord,
  shown: string,
): Promise<void> {
  const rec = member.record;
  const id = rec.memberId;
  if (member.voicemail)
    throw conflict(`member ${shown} is being left a voicemail message and will be hung up`);
  switch (action) {
    case 'hold': {
      if (rec.state === 'on_hold') throw conflict(`member ${shown} is already on hold`);
      if (!joined(member)) throw notConnected(shown, member);
      member.apiHeld = true;
      return s.applyHold(member, { request, events: [{ type: 'member.held', memberId: id }] });
    }
    case 'unhold': {
      if (!joined(member)) throw notConnected(shown, member);
      if (!member.apiHeld && member.transferHeld)
        throw conflict(
          `member ${shown} is on hold for a pending transfer: abort_transfer or resume_call ends it`,
        );
      if (!member.apiHeld) throw conflict(`member ${shown} is not on hold`);
      // Held twice over: lifting only our hold would answer 201 and leave it hearing hold music.
      if (member.transferHeld)
        throw conflict(
          `member ${shown} is also on hold for a pending transfer: unhold it once the transfer ` +
            'has ended (completed, abort_transfer or resume_call)',
        );
      member.apiHeld = false;
      return s.applyHold(member, { request, events: [{ type: 'member.unheld', memberId: id }] });
    }
    case 'mute':
    case 'unmute': {
      const muted = action === 'mute';
      if (!joined(member)) throw notConnected(shown, member);
      if (rec.muted === muted)
        throw conflict(`member ${shown} is ${muted ? 'already muted' : 'not muted'}`);
      await s.live.change({
        request,
        members: [{ ...rec, muted }],
        events: [{ type: muted ? 'member.muted' : 'member.unmuted', memberId: id }],
      });
      if (member.leg) s.live.conference.setMuted(member.leg, muted);
      return;
    }
    case 'hangup': {
      await s.live.change({
        request,
        events: [{ type: 'member.hangup-requested', memberId: id, data: { state: rec.state } }],
      });
      member.endCause = joined(member) ? 'hangup' : 'canceled';
      member.leg?.hangup('hangup requested');
      return;
    }
    case 'abort_transfer':
      return abortTransfer(s, member, request, shown);
    case 'resume_call':
      return resumeCall(s, member, request, shown);
    case 'voicemail_drop':
      return voicemailDrop(s, member, request, shown);
    case 'coach':
    case 'barge':
    case 'listen': {
      if (rec.role !== 'supervisor')
        throw conflict(
          `member ${shown} is ${rec.role === 'agent' ? 'an' : 'a'} ${rec.role}: only supervisors coach, barge or listen`,
        );
      if (!joined(member)) throw notConnected(shown, member);
      if (member.mode === action)
        throw conflict(`supervisor ${shown} is already in ${action} mode`);
      await s.live.change({ request, events: [{ type: `member.${action}`, memberId: id }] });
      member.mode = action;
      s.applyMode(member);
      return;
    }
  }
}

/**
 * The member's leg reached a voicemail box: the node's voicemail message is
 * played to it alone (nobody hears the box, nor the message), then it is
 * hung up.
 */
async function voicemailDrop(
  s: CallSession,
  member: LiveMember,
  request: RequestRecord,
  shown: string,
): Promise<void> {
  const message = s.node.voicemailMessage;
  if (!message)
    throw conflict(
      `node ${s.node.nodeId} has no voicemail_message to leave: add one to the PHLO document`,
    );
  if (!joined(member)) throw notConnected(shown, member);
  const leg = member.leg;
  await s.live.change({
    request,
    events: [
      { type: 'member.voicemail-drop', memberId: member.record.memberId, data: { message } },
    ],
  });
  member.voicemail = true;
  member.endCause = 'voicemail-drop';
  if (!leg) return;
  // Not heard by the others while the box records; the message replaces what it hears.
  s.live.conference.setMuted(leg, true);
  void s.live.conference
    .play(leg, message, { mix: false })
    .catch((err: unknown) => {
      s.log.error({ err }, 'the voicemail message could not play');
      return 'error';
    })
    .then((reason) => {
      s.log.info({ member_id: member.record.memberId, reason }, 'voicemail message played');
      leg.hangup('voicemail dropped');
    });
}
