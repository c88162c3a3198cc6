/**
 * The results: what the server answers, typed and camelCased. Times stay
 * the server's strings (`2018-11-14 04:41:31.827796+00:00`, Plivo's format)
 * so nothing is lost to Date's millisecond precision.
 */
import { bool, list, num, numOrNull, obj, str, strOrNull, type Json } from './wire.js';

export type Role = 'agent' | 'customer' | 'supervisor';
export type MemberState =
  'dialing' | 'ringing' | 'connected' | 'on_hold' | 'disconnected' | 'failed';
export type CallState = 'initialized' | 'active' | 'ended';

/** What every action answers (201): Plivo's `{api_id, error: ""}`. */
export interface ActionResult {
  apiId: string;
  /** Always "" on success (an error is thrown instead). */
  error: string;
}

export interface CallMember {
  memberId: string;
  /** Normalised by the server (`+14155550100`, `sip:user@host:port`). */
  address: string;
  role: Role;
  state: MemberState;
  muted: boolean;
  held: boolean;
  createdOn: string;
  joinedOn: string | null;
  leftOn: string | null;
  hangupCause: string | null;
  sipStatus: number | null;
}

export interface CallEvent {
  /** 1, 2, 3 … per call; the same numbers as the event callbacks' `seq`. */
  seq: number;
  at: string;
  /** `call.initialized`, `member.connected`, `transfer.started`, … (README: Events). */
  type: string;
  memberId: string | null;
  data: Record<string, unknown>;
}

/** A call (MPC instance) of a node. */
export interface Call {
  callId: string;
  phloId: string;
  nodeId: string;
  runId: string | null;
  state: CallState;
  createdOn: string;
  startedOn: string | null;
  endedOn: string | null;
  endReason: string | null;
  members: CallMember[];
}

/** One call with its event history (`GET …/calls/{call_id}`). */
export interface CallDetail extends Call {
  apiId: string;
  events: CallEvent[];
}

export function actionResult(o: Json): ActionResult {
  return { apiId: str(o, 'api_id'), error: str(o, 'error') };
}

export function callMember(o: Json): CallMember {
  return {
    memberId: str(o, 'member_id'),
    address: str(o, 'address'),
    role: str(o, 'role') as Role,
    state: str(o, 'state') as MemberState,
    muted: bool(o, 'muted'),
    held: bool(o, 'held'),
    createdOn: str(o, 'created_on'),
    joinedOn: strOrNull(o, 'joined_on'),
    leftOn: strOrNull(o, 'left_on'),
    hangupCause: strOrNull(o, 'hangup_cause'),
    sipStatus: numOrNull(o, 'sip_status'),
  };
}

export function callEvent(o: Json): CallEvent {
  return {
    seq: num(o, 'seq'),
    at: str(o, 'at'),
    type: str(o, 'type'),
    memberId: strOrNull(o, 'member_id'),
    data: obj(o, 'data'),
  };
}

export function call(o: Json): Call {
  return {
    callId: str(o, 'call_id'),
    phloId: str(o, 'phlo_id'),
    nodeId: str(o, 'node_id'),
    runId: strOrNull(o, 'run_id'),
    state: str(o, 'state') as CallState,
    createdOn: str(o, 'created_on'),
    startedOn: strOrNull(o, 'started_on'),
    endedOn: strOrNull(o, 'ended_on'),
    endReason: strOrNull(o, 'end_reason'),
    members: list(o, 'members').map(callMember),
  };
}

export function callDetail(o: Json): CallDetail {
  return { apiId: str(o, 'api_id'), ...call(o), events: list(o, 'events').map(callEvent) };
}
