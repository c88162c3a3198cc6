/**
 * What the call server keeps, and the one interface every backend
 * implements (SQLite now, PostgreSQL later). The domain computes a
 * ChangeSet and the store commits it atomically before the request is
 * acknowledged (DESIGN.md §1: "Nothing is written for a request that is
 * rejected"; issue 8: "every accepted request and every state change is
 * committed before it is acknowledged").
 *
 * Times are ISO-8601 strings in UTC with microseconds
 * (`2026-12-01T19:42:04.123456Z`); the API formats them as Plivo does.
 * Ids are UUIDs (v4) made by the caller, except AUTH_IDs (`MA` + 18).
 */

export interface AccountRecord {
  authId: string;
  /** scrypt: `scrypt$N$r$p$<salt b64>$<hash b64>` — never the token itself. */
  tokenHash: string;
  name: string;
  createdOn: string;
}

export interface PhloRecord {
  phloId: string;
  authId: string;
  name: string;
  /** The validated PHLO document (JSON text, node ids filled in). */
  document: string;
  /** 1 on create, +1 on each replace. */
  version: number;
  createdOn: string;
  updatedOn: string;
}

export interface RunRecord {
  runId: string;
  phloId: string;
  authId: string;
  /** The run payload as received (a JSON object). */
  payload: string;
  createdOn: string;
}

export type CallState = 'initialized' | 'active' | 'ended';

/** A live or finished MPC instance. */
export interface CallRecord {
  callId: string;
  authId: string;
  phloId: string;
  nodeId: string;
  runId: string | null;
  state: CallState;
  createdOn: string;
  /** When the first member connected. */
  startedOn: string | null;
  endedOn: string | null;
  /** Why it ended: `last-agent-left`, `everyone-left`, `server-shutdown`, `server-restart`, ... */
  endReason: string | null;
}

export type MemberState =
  | 'dialing'
  | 'ringing'
  | 'connected'
  | 'on_hold'
  | 'disconnected'
  | 'failed';

export type MemberRole = 'agent' | 'customer' | 'supervisor';

export interface MemberRecord {
  memberId: string;
  callId: string;
  /** Normalised address: `+14155550100` / `14155550100` or `sip:user@host[:port]`. */
  address: string;
  role: MemberRole;
  state: MemberState;
  muted: boolean;
  held: boolean;
  createdOn: string;
  joinedOn: string | null;
  leftOn: string | null;
  /** `busy`, `declined`, `no-answer`, `unreachable`, `canceled`, `hangup`, `remote-hangup`, ... */
  hangupCause: string | null;
  /** Final SIP status of the leg, when there was one. */
  sipStatus: number | null;
  /** SIP Call-ID of the leg, for correlating with logs and captures. */
  sipCallId: string | null;
}

export interface EventRecord {
  callId: string;
  /** 1, 2, 3 ... per call, assigned by the store in commit order. */
  seq: number;
  at: string;
  /** `call.created`, `member.dialing`, `member.ringing`, `member.connected`, `member.failed`, ... */
  type: string;
  memberId: string | null;
  /** Extra facts as a JSON object text (cause, status, address ...). */
  data: string;
}

/** An accepted API request (run or action), kept so none is lost across a crash. */
export interface RequestRecord {
  apiId: string;
  authId: string;
  /** `run`, `call`, `hangup`, `hold`, ... */
  action: string;
  phloId: string;
  nodeId: string | null;
  callId: string | null;
  memberId: string | null;
  /** The request's effective parameters (JSON object text). */
  params: string;
  receivedOn: string;
}

/** Rows written together or not at all. */
export interface ChangeSet {
  request?: RequestRecord;
  run?: RunRecord;
  /** Inserted, or replaced whole when the id exists. */
  calls?: CallRecord[];
  /** Inserted, or replaced whole when the id exists. */
  members?: MemberRecord[];
  /** Appended; `seq` is assigned by the store (the given one is ignored). */
  events?: Omit<EventRecord, 'seq'>[];
}

export interface CallListOptions {
  /** Only calls not ended. */
  live?: boolean;
  /** Most recent first; default 50, at most 500. */
  limit?: number;
}

export interface Store {
  /** Runs migrations; must be called once before anything else. */
  open(): Promise<void>;
  close(): Promise<void>;

  createAccount(account: AccountRecord): Promise<void>;
  getAccount(authId: string): Promise<AccountRecord | null>;
  listAccounts(): Promise<AccountRecord[]>;
  countAccounts(): Promise<number>;

  /** Rejects with StoreConflictError when the id exists. */
  createPhlo(phlo: PhloRecord): Promise<void>;
  /** Replaces document/name/version/updatedOn; false when no such PHLO of that account. */
  replacePhlo(phlo: PhloRecord): Promise<boolean>;
  /** Only that account's PHLO; null for another account's (never reveal it exists). */
  getPhlo(authId: string, phloId: string): Promise<PhloRecord | null>;
  listPhlos(authId: string): Promise<PhloRecord[]>;
  /** False when no such PHLO of that account. Its runs, calls and events stay (history). */
  deletePhlo(authId: string, phloId: string): Promise<boolean>;

  /** Commits every row of the change set in one transaction; assigns event seqs. */
  commit(changes: ChangeSet): Promise<void>;

  getRun(runId: string): Promise<RunRecord | null>;
  getCall(callId: string): Promise<CallRecord | null>;
  listCalls(
    authId: string,
    phloId: string,
    nodeId: string,
    options?: CallListOptions,
  ): Promise<CallRecord[]>;
  /** Every call not ended, of every account (start-up reconciliation). */
  liveCalls(): Promise<CallRecord[]>;
  members(callId: string): Promise<MemberRecord[]>;
  events(callId: string): Promise<EventRecord[]>;
  getRequest(apiId: string): Promise<RequestRecord | null>;
  requests(callId: string): Promise<RequestRecord[]>;
}

/** A create that collides with an existing id. */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}
