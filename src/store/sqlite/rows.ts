import type {
  AccountRecord,
  CallRecord,
  CallState,
  DeliveryRecord,
  EventRecord,
  MemberRecord,
  MemberRole,
  MemberState,
  PhloRecord,
  RequestRecord,
  RunRecord,
} from '../types.js';

/**
 * Rows as SQLite returns them (snake_case columns, booleans as 0/1), and
 * the conversions to and from the records of types.ts. Statements bind
 * records through the `*Row` functions, so a column is named once here.
 * Nullable fields bind `?? null`, so a caller in plain JS that leaves one
 * out stores NULL rather than failing on a missing parameter.
 */

export interface AccountRow {
  auth_id: string;
  token_hash: string;
  name: string;
  created_on: string;
  signing_key: string | null;
}

export interface PhloRow {
  phlo_id: string;
  auth_id: string;
  name: string;
  document: string;
  version: number;
  created_on: string;
  updated_on: string;
}

export interface RunRow {
  run_id: string;
  phlo_id: string;
  auth_id: string;
  payload: string;
  created_on: string;
}

export interface CallRow {
  call_id: string;
  auth_id: string;
  phlo_id: string;
  node_id: string;
  run_id: string | null;
  state: string;
  created_on: string;
  started_on: string | null;
  ended_on: string | null;
  end_reason: string | null;
}

export interface MemberRow {
  member_id: string;
  call_id: string;
  address: string;
  role: string;
  state: string;
  muted: number;
  held: number;
  created_on: string;
  joined_on: string | null;
  left_on: string | null;
  hangup_cause: string | null;
  sip_status: number | null;
  sip_call_id: string | null;
}

export interface EventRow {
  call_id: string;
  seq: number;
  at: string;
  type: string;
  member_id: string | null;
  data: string;
}

export interface RequestRow {
  api_id: string;
  auth_id: string;
  action: string;
  phlo_id: string;
  node_id: string | null;
  call_id: string | null;
  member_id: string | null;
  params: string;
  received_on: string;
}

export const accountRow = (a: AccountRecord): AccountRow => ({
  auth_id: a.authId,
  token_hash: a.tokenHash,
  name: a.name,
  created_on: a.createdOn,
  signing_key: a.signingKey ?? null,
});

/** `signingKey` is left out, not null, when there is none: a record reads back as it was written. */
export const accountRecord = (r: AccountRow): AccountRecord => ({
  authId: r.auth_id,
  tokenHash: r.token_hash,
  name: r.name,
  createdOn: r.created_on,
  ...(r.signing_key === null ? {} : { signingKey: r.signing_key }),
});

export const phloRow = (p: PhloRecord): PhloRow => ({
  phlo_id: p.phloId,
  auth_id: p.authId,
  name: p.name,
  document: p.document,
  version: p.version,
  created_on: p.createdOn,
  updated_on: p.updatedOn,
});

export const phloRecord = (r: PhloRow): PhloRecord => ({
  phloId: r.phlo_id,
  authId: r.auth_id,
  name: r.name,
  document: r.document,
  version: r.version,
  createdOn: r.created_on,
  updatedOn: r.updated_on,
});

export const runRow = (r: RunRecord): RunRow => ({
  run_id: r.runId,
  phlo_id: r.phloId,
  auth_id: r.authId,
  payload: r.payload,
  created_on: r.createdOn,
});

export const runRecord = (r: RunRow): RunRecord => ({
  runId: r.run_id,
  phloId: r.phlo_id,
  authId: r.auth_id,
  payload: r.payload,
  createdOn: r.created_on,
});

export const callRow = (c: CallRecord): CallRow => ({
  call_id: c.callId,
  auth_id: c.authId,
  phlo_id: c.phloId,
  node_id: c.nodeId,
  run_id: c.runId ?? null,
  state: c.state,
  created_on: c.createdOn,
  started_on: c.startedOn ?? null,
  ended_on: c.endedOn ?? null,
  end_reason: c.endReason ?? null,
});

export const callRecord = (r: CallRow): CallRecord => ({
  callId: r.call_id,
  authId: r.auth_id,
  phloId: r.phlo_id,
  nodeId: r.node_id,
  runId: r.run_id,
  // The CHECK constraints keep these columns to the union's values.
  state: r.state as CallState,
  createdOn: r.created_on,
  startedOn: r.started_on,
  endedOn: r.ended_on,
  endReason: r.end_reason,
});

export const memberRow = (m: MemberRecord): MemberRow => ({
  member_id: m.memberId,
  call_id: m.callId,
  address: m.address,
  role: m.role,
  state: m.state,
  muted: m.muted ? 1 : 0,
  held: m.held ? 1 : 0,
  created_on: m.createdOn,
  joined_on: m.joinedOn ?? null,
  left_on: m.leftOn ?? null,
  hangup_cause: m.hangupCause ?? null,
  sip_status: m.sipStatus ?? null,
  sip_call_id: m.sipCallId ?? null,
});

export const memberRecord = (r: MemberRow): MemberRecord => ({
  memberId: r.member_id,
  callId: r.call_id,
  address: r.address,
  role: r.role as MemberRole,
  state: r.state as MemberState,
  muted: r.muted === 1,
  held: r.held === 1,
  createdOn: r.created_on,
  joinedOn: r.joined_on,
  leftOn: r.left_on,
  hangupCause: r.hangup_cause,
  sipStatus: r.sip_status,
  sipCallId: r.sip_call_id,
});

export const eventRow = (e: Omit<EventRecord, 'seq'>, seq: number): EventRow => ({
  call_id: e.callId,
  seq,
  at: e.at,
  type: e.type,
  member_id: e.memberId ?? null,
  data: e.data,
});

export const eventRecord = (r: EventRow): EventRecord => ({
  callId: r.call_id,
  seq: r.seq,
  at: r.at,
  type: r.type,
  memberId: r.member_id,
  data: r.data,
});

export const requestRow = (q: RequestRecord): RequestRow => ({
  api_id: q.apiId,
  auth_id: q.authId,
  action: q.action,
  phlo_id: q.phloId,
  node_id: q.nodeId ?? null,
  call_id: q.callId ?? null,
  member_id: q.memberId ?? null,
  params: q.params,
  received_on: q.receivedOn,
});

export const requestRecord = (r: RequestRow): RequestRecord => ({
  apiId: r.api_id,
  authId: r.auth_id,
  action: r.action,
  phloId: r.phlo_id,
  nodeId: r.node_id,
  callId: r.call_id,
  memberId: r.member_id,
  params: r.params,
  receivedOn: r.received_on,
});

export interface DeliveryRow {
  delivery_id: string;
  call_id: string;
  seq: number;
  url: string;
  auth_id: string;
  body: string;
  attempts: number;
  next_attempt_at: string;
  last_attempt_on: string | null;
  delivered_on: string | null;
  last_error: string | null;
  gave_up_on: string | null;
  created_on: string;
}

/** A due delivery joined with its event (the event's columns prefixed `event_`). */
export interface DueDeliveryRow extends DeliveryRow {
  event_at: string;
  event_type: string;
  event_member_id: string | null;
  event_data: string;
}

export const deliveryRecord = (r: DeliveryRow): DeliveryRecord => ({
  deliveryId: r.delivery_id,
  callId: r.call_id,
  seq: r.seq,
  url: r.url,
  authId: r.auth_id,
  body: r.body,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastAttemptOn: r.last_attempt_on,
  deliveredOn: r.delivered_on,
  lastError: r.last_error,
  gaveUpOn: r.gave_up_on,
  createdOn: r.created_on,
});

export const dueDeliveryEvent = (r: DueDeliveryRow): EventRecord => ({
  callId: r.call_id,
  seq: r.seq,
  at: r.event_at,
  type: r.event_type,
  memberId: r.event_member_id,
  data: r.event_data,
});
