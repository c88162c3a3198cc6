/**
 * A PHLO document (see README.md beside this file for the format and an
 * example). This is the validated form: defaults filled in, `start.next`
 * resolved, unknown fields refused.
 */
export interface PhloDocument {
  name: string;
  description?: string;
  start: StartNode;
  nodes: MultiPartyCallNode[];
}

/**
 * What starts a run: `api`, the run endpoint (`POST /v1/account/{id}/phlo/{id}`);
 * `incoming`, an inbound call to one of `start.incoming`.
 */
export type StartTrigger = 'api' | 'incoming';

export interface StartNode {
  triggers: StartTrigger[];
  /** Name of the node a run starts. */
  next: string;
  /**
   * With the `incoming` trigger (and only then): the phone numbers and SIP
   * user names whose inbound calls start a run of `next`, as written. They
   * are matched by incomingKey (numbers by their digits, users exactly).
   */
  incoming?: string[];
}

/** The roles a member joins a call with (DESIGN.md §2). */
export type MemberRole = 'agent' | 'customer' | 'supervisor';

/**
 * Per role: whether that member leaving ends the call for everyone.
 * Independently of this, the call ends when its last agent or supervisor
 * leaves, and when nobody is left.
 */
export interface EndOnExit {
  agent: boolean;
  customer: boolean;
  supervisor: boolean;
}

/** What happens when the target of a `cold_transfer` does not answer. */
export interface ColdTransferFailure {
  /** Audio source played to the members left waiting (`none`: nothing). */
  message: string;
  /** `end`: the call ends once the message has played; `continue`: it goes on. */
  then: 'end' | 'continue';
}

/** The template of a multi-party call (DESIGN.md §2, "MPC node"). */
export interface MultiPartyCallNode {
  /** A UUID, assigned by assignIds; absent in a document as written. */
  id?: string;
  type: 'multi_party_call';
  name: string;
  /**
   * First leg of an API run (role agent): an address, or a template such as
   * `{{start.from}}`. Required when `start.triggers` has `api`.
   */
  from?: string;
  /** Second leg of an API run (role customer), dialled when the first answers; templated like `from`. */
  to?: string;
  /**
   * The agents dialled when an inbound call starts this node (the caller
   * joins as customer); addresses or templates over `{{start.from}}` (the
   * caller) and `{{start.to}}` (the number or user called). Required on the
   * start node of a PHLO with the `incoming` trigger.
   */
  agents?: string[];
  /** The caller ID shown to the legs dialled; templated like `from`. */
  caller_id?: string;
  /** Seconds a dialled leg may ring before it is given up (no-answer). */
  ring_timeout: number;
  /** Members in the call at most, including those being dialled. */
  max_participants: number;
  /** Seconds the call may last at most; then it ends (reason max-duration). */
  max_duration: number;
  /**
   * Seconds a member may be alone (the only one connected, nobody being
   * dialled) before the call ends; 0 ends it as soon as a member is alone.
   */
  alone_timeout: number;
  /** Per role: whether that member leaving ends the call. */
  end_on_exit: EndOnExit;
  /** Whether the call's mixed audio is recorded. */
  record: boolean;
  /**
   * Audio source a member alone hears, and a caller waiting for an agent;
   * absent: the server's default music.
   */
  wait_music?: string;
  /** Audio source held agents (and supervisors) hear; absent: the server's default. */
  agent_hold_music?: string;
  /** Audio source held customers hear; absent: the server's default. */
  customer_hold_music?: string;
  /** Audio source everyone hears when a member joins (`none`: silence). */
  enter_sound: string;
  /** Audio source everyone hears when a member leaves (`none`: silence). */
  exit_sound: string;
  /** Audio source `voicemail_drop` plays; absent: voicemail_drop is refused. */
  voicemail_message?: string;
  /** What a failed `cold_transfer` does. */
  cold_transfer_failure: ColdTransferFailure;
  /** http(s) URL the call's events are posted to (signed); templated like `from`. */
  event_callback_url?: string;
}

/** A node once assignIds has run. */
export type IdentifiedNode = MultiPartyCallNode & { id: string };

/** A document whose every node has its id (what the store keeps). */
export interface IdentifiedPhloDocument extends PhloDocument {
  nodes: IdentifiedNode[];
}

/**
 * The free key/value body of a run, read by `{{start.<key>}}`. For a run
 * started by an inbound call it is `{ from: <caller>, to: <called user> }`.
 */
export type RunPayload = Readonly<Record<string, unknown>>;

export const RING_TIMEOUT = { min: 5, max: 300, default: 45 } as const;
export const MAX_PARTICIPANTS = { min: 2, max: 100, default: 10 } as const;
/** Four hours by default, as Plivo's MPC. */
export const MAX_DURATION = { min: 60, max: 86_400, default: 14_400 } as const;
export const ALONE_TIMEOUT = { min: 0, max: 3600, default: 60 } as const;
export const DEFAULT_ENTER_SOUND = 'beep:1';
export const DEFAULT_EXIT_SOUND = 'beep:2';
export const DEFAULT_END_ON_EXIT: Readonly<EndOnExit> = Object.freeze({
  agent: false,
  customer: false,
  supervisor: false,
});
export const DEFAULT_COLD_TRANSFER_FAILURE: Readonly<ColdTransferFailure> = Object.freeze({
  message: 'beep:2',
  then: 'end',
});
/** Agents a node may list (and at most max_participants − 1, leaving a seat for the caller). */
export const MAX_AGENTS = 50;
/** Numbers and SIP user names one PHLO may answer. */
export const MAX_INCOMING = 50;
export const MAX_CALLBACK_URL_LENGTH = 2048;
/** Longest `from`, `to`, `caller_id` or agent template. */
export const MAX_ADDRESS_TEMPLATE_LENGTH = 512;
export const MAX_NODES = 50;
export const MAX_NAME_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 2000;
/** Longest document text accepted (JSON or YAML). */
export const MAX_DOCUMENT_BYTES = 256 * 1024;
