import { randomBytes, randomUUID } from 'node:crypto';
import type {
  AccountRecord,
  CallRecord,
  EventRecord,
  MemberRecord,
  NewDelivery,
  PhloRecord,
  RequestRecord,
  RunRecord,
} from '../../src/store/index.js';

/**
 * Record builders for the store tests: fresh ids every call (so a backend
 * that shares one database across tests still sees distinct rows), and
 * times from a counter so order is explicit.
 */

/** `2026-12-01T10:00:00.000001Z` for 1; later for larger n (n < 3600 * 1e6). */
export function at(n: number): string {
  const seconds = Math.floor(n / 1e6);
  const micros = String(n % 1e6).padStart(6, '0');
  const mm = String(Math.floor(seconds / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return `2026-12-01T10:${mm}:${ss}.${micros}Z`;
}

/** `MA` + 18 upper-case characters, as the SDKs insist. */
export const newAuthId = (): string =>
  'MA' + randomBytes(9).toString('hex').toUpperCase().slice(0, 18);

export const account = (over: Partial<AccountRecord> = {}): AccountRecord => ({
  authId: newAuthId(),
  tokenHash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==',
  name: 'test account',
  createdOn: at(1),
  ...over,
});

export const phlo = (authId: string, over: Partial<PhloRecord> = {}): PhloRecord => ({
  phloId: randomUUID(),
  authId,
  name: 'support line',
  document: JSON.stringify({ nodes: [{ id: 'start', type: 'start' }] }),
  version: 1,
  createdOn: at(2),
  updatedOn: at(2),
  ...over,
});

export const run = (authId: string, phloId: string, over: Partial<RunRecord> = {}): RunRecord => ({
  runId: randomUUID(),
  phloId,
  authId,
  payload: JSON.stringify({ from: '+14155550100', to: '+14155550101' }),
  createdOn: at(3),
  ...over,
});

export const call = (
  authId: string,
  phloId: string,
  nodeId: string,
  over: Partial<CallRecord> = {},
): CallRecord => ({
  callId: randomUUID(),
  authId,
  phloId,
  nodeId,
  runId: null,
  state: 'initialized',
  createdOn: at(4),
  startedOn: null,
  endedOn: null,
  endReason: null,
  ...over,
});

export const member = (callId: string, over: Partial<MemberRecord> = {}): MemberRecord => ({
  memberId: randomUUID(),
  callId,
  address: '+14155550100',
  role: 'agent',
  state: 'dialing',
  muted: false,
  held: false,
  createdOn: at(5),
  joinedOn: null,
  leftOn: null,
  hangupCause: null,
  sipStatus: null,
  sipCallId: null,
  ...over,
});

export const event = (
  callId: string,
  type: string,
  over: Partial<Omit<EventRecord, 'seq'>> = {},
): Omit<EventRecord, 'seq'> => ({
  callId,
  at: at(6),
  type,
  memberId: null,
  data: '{}',
  ...over,
});

export const request = (
  authId: string,
  phloId: string,
  over: Partial<RequestRecord> = {},
): RequestRecord => ({
  apiId: randomUUID(),
  authId,
  action: 'run',
  phloId,
  nodeId: null,
  callId: null,
  memberId: null,
  params: '{}',
  receivedOn: at(7),
  ...over,
});

/** A callback delivery of the event at `eventIndex` of the same change set. */
export const delivery = (
  authId: string,
  eventIndex: number,
  over: Partial<NewDelivery> = {},
): NewDelivery => ({
  deliveryId: randomUUID(),
  event: eventIndex,
  url: 'http://127.0.0.1:9/callbacks',
  authId,
  body: JSON.stringify({ phlo_id: 'p', node_id: 'n', member: null }),
  createdOn: at(8),
  ...over,
});
