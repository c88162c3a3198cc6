/**
 * Service views → wire JSON: snake_case keys that are valid identifiers
 * (Ruby makes each top-level key an instance variable) and Plivo-formatted
 * times (PLIVO-SDK-WIRE.md §3.9).
 */
import type {
  CallDetailView,
  CallView,
  EventView,
  LiveEventView,
  MemberView,
  NodeView,
  PhloView,
  RunResult,
} from './service.js';
import { plivoTimestamp, plivoTimestampOrNull } from './time.js';

export function phloJson(p: PhloView) {
  return {
    phlo_id: p.phloId,
    name: p.name,
    created_on: plivoTimestamp(p.createdOn),
    updated_on: plivoTimestamp(p.updatedOn),
    version: p.version,
    document: p.document,
  };
}

export function nodeJson(n: NodeView) {
  return {
    node_id: n.nodeId,
    phlo_id: n.phloId,
    name: n.name,
    // Always this literal: Python, Go and Ruby build the next URL from it (§3.6).
    node_type: 'multi_party_call' as const,
    created_on: plivoTimestamp(n.createdOn),
  };
}

export function runJson(r: RunResult) {
  return { phlo_run_id: r.runId, phlo_id: r.phloId, call_id: r.callId, message: r.message };
}

export function memberJson(m: MemberView) {
  return {
    member_id: m.memberId,
    address: m.address,
    role: m.role,
    state: m.state,
    muted: m.muted,
    held: m.held,
    created_on: plivoTimestamp(m.createdOn),
    joined_on: plivoTimestampOrNull(m.joinedOn),
    left_on: plivoTimestampOrNull(m.leftOn),
    hangup_cause: m.hangupCause,
    sip_status: m.sipStatus,
  };
}

export function eventJson(e: EventView) {
  return { seq: e.seq, ...liveEventJson(e) };
}

export function liveEventJson(e: LiveEventView) {
  return { at: plivoTimestamp(e.at), type: e.type, member_id: e.memberId, data: e.data };
}

export function callJson(c: CallView) {
  return {
    call_id: c.callId,
    phlo_id: c.phloId,
    node_id: c.nodeId,
    run_id: c.runId,
    state: c.state,
    created_on: plivoTimestamp(c.createdOn),
    started_on: plivoTimestampOrNull(c.startedOn),
    ended_on: plivoTimestampOrNull(c.endedOn),
    end_reason: c.endReason,
    members: c.members.map(memberJson),
  };
}

export function callDetailJson(c: CallDetailView) {
  return { ...callJson(c), events: c.events.map(eventJson) };
}
