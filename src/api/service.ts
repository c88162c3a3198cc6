/**
 * What the HTTP layer needs from the rest of the server, declared here by
 * its consumer (as media/mixer declares MixerPort) so the routes can be
 * unit-tested over a test double and the server wires the real thing.
 *
 * Every method either resolves or rejects with a ServiceError, whose kind
 * decides the HTTP status (DESIGN.md §1). Any other rejection is a 500.
 * Times are ISO-8601 UTC strings; the routes format `created_on` as Plivo
 * does (`2018-11-14 04:41:31.827796+00:00`).
 */

export type ServiceErrorKind =
  /** 400: bad input; the message names the field and the problem. */
  | 'validation'
  /** 400: an action Partyline does not offer yet (never a 201 with nothing behind it). */
  | 'not-available'
  /** 404: unknown, or another account's (never reveal it exists). */
  | 'not-found'
  /** 409: conflicts with the call's current state. */
  | 'conflict'
  /** 429 */
  | 'rate-limited'
  /** 503: overloaded, shutting down, or the engine is not ready. */
  | 'unavailable';

export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly kind: ServiceErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export type Role = 'agent' | 'customer' | 'supervisor';

export interface PhloView {
  phloId: string;
  name: string;
  createdOn: string;
  updatedOn: string;
  version: number;
  /** The stored document, node ids filled in. */
  document: Record<string, unknown>;
}

export interface NodeView {
  nodeId: string;
  phloId: string;
  name: string;
  nodeType: 'multi_party_call';
  createdOn: string;
}

export interface RunResult {
  runId: string;
  phloId: string;
  /** The MPC instance the run created. */
  callId: string;
  message: string;
}

/** The MPC node actions (`POST …/multi_party_call/{node}`), spelling already normalised. */
export type NodeAction = 'call' | 'warm_transfer' | 'cold_transfer';

/** The member actions (`POST …/members/{address}`), spelling already normalised. */
export type MemberAction =
  | 'hold'
  | 'unhold'
  | 'hangup'
  | 'mute'
  | 'unmute'
  | 'resume_call'
  | 'voicemail_drop'
  | 'abort_transfer'
  /** Supervisors (our extension, as Plivo's MPC Voice API): heard by agents only / by all / by none. */
  | 'coach'
  | 'barge'
  | 'listen';

export interface NodeActionRequest {
  action: NodeAction;
  /** Raw as received; the service normalises and validates. Never empty (the routes refuse that with a 400). */
  to: string;
  /** Already defaulted: missing or "" on the wire means `agent`. */
  role: Role;
  /** Raw as received, never empty (the routes refuse that with a 400). */
  triggerSource: string;
}

export interface MemberView {
  memberId: string;
  address: string;
  role: Role;
  state: 'dialing' | 'ringing' | 'connected' | 'on_hold' | 'disconnected' | 'failed';
  muted: boolean;
  held: boolean;
  createdOn: string;
  joinedOn: string | null;
  leftOn: string | null;
  hangupCause: string | null;
  sipStatus: number | null;
}

export interface EventView {
  seq: number;
  at: string;
  type: string;
  memberId: string | null;
  data: Record<string, unknown>;
}

export interface CallView {
  callId: string;
  phloId: string;
  nodeId: string;
  runId: string | null;
  state: 'initialized' | 'active' | 'ended';
  createdOn: string;
  startedOn: string | null;
  endedOn: string | null;
  endReason: string | null;
  members: MemberView[];
}

export interface CallDetailView extends CallView {
  events: EventView[];
}

/** An event as just stored, streamed live (its seq is in the call's history). */
export interface LiveEventView {
  at: string;
  type: string;
  memberId: string | null;
  data: Record<string, unknown>;
}

/** A live call as a console shows it: the call, its members, who is talking. */
export interface LiveCallView {
  call: CallView;
  /** Ids of the members shown talking now. */
  talking: string[];
}

/** What the live stream carries: a call after a change (with its new events), or a talking indicator. */
export type LiveUpdate =
  | ({ kind: 'call'; authId: string; events: LiveEventView[] } & LiveCallView)
  | {
      kind: 'talking';
      authId: string;
      phloId: string;
      nodeId: string;
      callId: string;
      memberId: string;
      talking: boolean;
    };

/** A call's recording, once it is closed (the call ended). */
export interface RecordingView {
  /** A WAV file the server can read. */
  path: string;
  durationMs: number;
}

export interface ApiService {
  /**
   * True when the id exists and the token matches (constant-time).
   * `admit` is called before a full (scrypt) check, never for credentials
   * already verified; what it throws rejects the call (AuthThrottle's 429).
   */
  authenticate(authId: string, authToken: string, admit?: () => void): Promise<boolean>;

  /** `document` is a plain object: the routes parse JSON or YAML and refuse non-objects (400). */
  createPhlo(authId: string, document: unknown, apiId: string): Promise<PhloView>;
  replacePhlo(authId: string, phloId: string, document: unknown, apiId: string): Promise<PhloView>;
  getPhlo(authId: string, phloId: string): Promise<PhloView>;
  listPhlos(authId: string): Promise<PhloView[]>;
  deletePhlo(authId: string, phloId: string, apiId: string): Promise<void>;
  getNode(authId: string, phloId: string, nodeId: string): Promise<NodeView>;

  /**
   * `authIdInPath` is the `{auth_id}` of the run URL: it must be the caller's own. (The routes
   * already answer 404 without calling run when it is not; the check here is a second line.)
   * `payload` values are strings: the routes convert numbers/booleans and merge the .NET query copy.
   */
  run(
    authId: string,
    authIdInPath: string,
    phloId: string,
    payload: Record<string, string>,
    apiId: string,
  ): Promise<RunResult>;
  nodeAction(
    authId: string,
    phloId: string,
    nodeId: string,
    request: NodeActionRequest,
    apiId: string,
  ): Promise<void>;
  /** `memberAddress` is the path segment percent-decoded, `+` kept as a plus; not normalised. */
  memberAction(
    authId: string,
    phloId: string,
    nodeId: string,
    memberAddress: string,
    action: MemberAction,
    apiId: string,
  ): Promise<void>;

  /** Our extension: a member action on the member with this id in this live call. */
  memberActionById(
    authId: string,
    phloId: string,
    nodeId: string,
    callId: string,
    memberId: string,
    action: MemberAction,
    apiId: string,
  ): Promise<void>;

  /** `options` holds only what the query gave (`live=true|false`, `limit` 1..1000). */
  listCalls(
    authId: string,
    phloId: string,
    nodeId: string,
    options: { live?: boolean; limit?: number },
  ): Promise<CallView[]>;
  getCall(authId: string, phloId: string, nodeId: string, callId: string): Promise<CallDetailView>;

  /** Our extension: the mixed recording of a call of this node; not-found when it has none (yet). */
  getRecording(
    authId: string,
    phloId: string,
    nodeId: string,
    callId: string,
  ): Promise<RecordingView>;

  /**
   * Our extension: every live change of every account's calls, in the
   * order they were stored, told synchronously; returns the unsubscribe.
   */
  watchCalls(listener: (update: LiveUpdate) => void): () => void;
  /** The account's live calls now, as watchCalls shows them, oldest first. */
  liveCalls(authId: string): LiveCallView[];

  /** For /healthz: false while starting or stopping. */
  ready(): boolean;
}
