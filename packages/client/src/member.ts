/**
 * Member actions. `Member` names a member by address (Plivo's
 * `…/members/{address}`: the server finds the live call of the node that
 * has it); `CallMemberHandle` names one by call and member id (our
 * extension), exact where an address could be in two calls of a node — what
 * a supervisor console uses for coach / barge / listen.
 */
import { actionResult, type ActionResult } from './calls.js';
import type { Transport } from './http.js';
import { segment } from './wire.js';

/** Every action the server takes on a member (snake_case, as on the wire). */
export type MemberActionName =
  | 'hold'
  | 'unhold'
  | 'hangup'
  | 'mute'
  | 'unmute'
  | 'resume_call'
  | 'voicemail_drop'
  | 'abort_transfer'
  | 'coach'
  | 'barge'
  | 'listen';

/** The action methods, shared by both ways of naming a member. */
abstract class MemberActions {
  /** Sends `{"action": name}`; answers 201 `{api_id, error: ""}`. */
  abstract action(name: MemberActionName): Promise<ActionResult>;

  /** Hears its role's hold music and is not heard. */
  hold(): Promise<ActionResult> {
    return this.action('hold');
  }
  unhold(): Promise<ActionResult> {
    return this.action('unhold');
  }
  /** Ends its leg (BYE, or CANCEL while it rings). */
  hangup(): Promise<ActionResult> {
    return this.action('hangup');
  }
  /** Still hears; is not heard. */
  mute(): Promise<ActionResult> {
    return this.action('mute');
  }
  unmute(): Promise<ActionResult> {
    return this.action('unmute');
  }
  /** By U1 during a warm transfer: ends the consultation and joins everyone. */
  resumeCall(): Promise<ActionResult> {
    return this.action('resume_call');
  }
  /** Plays the node's `voicemail_message` to this member alone, then hangs it up. */
  voicemailDrop(): Promise<ActionResult> {
    return this.action('voicemail_drop');
  }
  /** By U1: cancels the pending transfer and returns U1 to the others. */
  abortTransfer(): Promise<ActionResult> {
    return this.action('abort_transfer');
  }
  /** A supervisor heard by the agents only (it hears everyone). */
  coach(): Promise<ActionResult> {
    return this.action('coach');
  }
  /** A supervisor heard by everyone. */
  barge(): Promise<ActionResult> {
    return this.action('barge');
  }
  /** A supervisor heard by nobody (it hears everyone). */
  listen(): Promise<ActionResult> {
    return this.action('listen');
  }
}

/** A member by address: `POST /v1/phlo/{phlo}/multi_party_call/{node}/members/{address}`. */
export class Member extends MemberActions {
  constructor(
    private readonly transport: Transport,
    readonly phloId: string,
    readonly nodeId: string,
    /** As given: `+14155550100`, `sip:agent@pbx.example`; the server normalises it. */
    readonly address: string,
  ) {
    super();
  }

  async action(name: MemberActionName): Promise<ActionResult> {
    const path = `/phlo/${segment(this.phloId)}/multi_party_call/${segment(this.nodeId)}/members/${segment(this.address)}`;
    return actionResult(await this.transport.request('POST', path, { action: name }));
  }
}

/** A member by id (extension): `POST …/multi_party_call/{node}/calls/{call_id}/members/{member_id}`. */
export class CallMemberHandle extends MemberActions {
  constructor(
    private readonly transport: Transport,
    readonly phloId: string,
    readonly nodeId: string,
    readonly callId: string,
    readonly memberId: string,
  ) {
    super();
  }

  async action(name: MemberActionName): Promise<ActionResult> {
    const path =
      `/phlo/${segment(this.phloId)}/multi_party_call/${segment(this.nodeId)}` +
      `/calls/${segment(this.callId)}/members/${segment(this.memberId)}`;
    return actionResult(await this.transport.request('POST', path, { action: name }));
  }
}
