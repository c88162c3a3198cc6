import { randomUUID } from 'node:crypto';
import type {
  CallRecord,
  DueDelivery,
  EventRecord,
  MemberRecord,
  NewDelivery,
} from '../store/index.js';
import { plivoTime } from './time.js';

/** The member an event is about, as it was when the event was committed. */
export interface CallbackMember {
  member_id: string;
  address: string;
  role: string;
  state: string;
  muted: boolean;
  held: boolean;
  joined_on: string | null;
  left_on: string | null;
  hangup_cause: string | null;
}

/** The JSON a receiver gets (README.md). */
export interface CallbackPayload {
  /** The delivery id: the same on every retry; de-duplicate by it. */
  event_id: string;
  call_id: string;
  phlo_id: string | null;
  node_id: string | null;
  /** 1, 2, 3 ... per call: the event's place in the call's history. */
  seq: number;
  type: string;
  /** When it happened, `2018-11-14 04:41:31.827796+00:00`. */
  at: string;
  member: CallbackMember | null;
  data: Record<string, unknown>;
}

/** What NewDelivery.body holds: the payload's fields the event row lacks. */
interface FrozenFields {
  phlo_id?: unknown;
  node_id?: unknown;
  member?: unknown;
}

export function callbackMember(m: MemberRecord): CallbackMember {
  return {
    member_id: m.memberId,
    address: m.address,
    role: m.role,
    state: m.state,
    muted: m.muted,
    held: m.held,
    joined_on: plivoTime(m.joinedOn),
    left_on: plivoTime(m.leftOn),
    hangup_cause: m.hangupCause,
  };
}

export interface CallbackDeliveriesInput {
  /** The node's event_callback_url; none means no deliveries. */
  url: string | null | undefined;
  /** The call the events are of (its account signs; its PHLO and node are named). */
  call: Pick<CallRecord, 'authId' | 'phloId' | 'nodeId'>;
  /** The change set's `events`, in order (a delivery names its event by index). */
  events: readonly Pick<EventRecord, 'memberId'>[];
  /** The member rows as they are after this change (new rows of the change set first). */
  member?: (memberId: string) => MemberRecord | undefined;
  /** The commit's time (createdOn and first attempt). */
  createdOn: string;
  /** Delivery ids; default randomUUID. */
  newId?: () => string;
}

/**
 * The `deliveries` of a ChangeSet for a node with an event_callback_url:
 * one per event, each naming its event by index, with the member frozen as
 * the change leaves it (so a late retry still says what was true then).
 */
export function callbackDeliveries(input: CallbackDeliveriesInput): NewDelivery[] {
  const { url, call } = input;
  if (!url) return [];
  const newId = input.newId ?? randomUUID;
  return input.events.map((event, index) => {
    const m = event.memberId ? input.member?.(event.memberId) : undefined;
    const frozen = {
      phlo_id: call.phloId,
      node_id: call.nodeId,
      member: m ? callbackMember(m) : null,
    } satisfies FrozenFields;
    return {
      deliveryId: newId(),
      event: index,
      url,
      authId: call.authId,
      body: JSON.stringify(frozen),
      createdOn: input.createdOn,
    };
  });
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // A row the schema let through but this code did not write: send what can be sent.
  }
  return {};
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * The payload of a due delivery: the event row's fields and the frozen
 * ones. Every input is immutable (events are append-only, the body column
 * is never updated), so every retry sends the same bytes.
 */
export function callbackPayload(due: DueDelivery): CallbackPayload {
  const { delivery, event } = due;
  const frozen = parseObject(delivery.body) as FrozenFields;
  const member = frozen.member;
  return {
    event_id: delivery.deliveryId,
    call_id: event.callId,
    phlo_id: text(frozen.phlo_id),
    node_id: text(frozen.node_id),
    seq: event.seq,
    type: event.type,
    at: plivoTime(event.at) ?? event.at,
    member:
      member !== null && typeof member === 'object' && !Array.isArray(member)
        ? (member as CallbackMember)
        : null,
    data: parseObject(event.data),
  };
}
