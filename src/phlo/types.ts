/**
 * A PHLO document (see README.md beside this file for the format and an
 * example). This is the validated form: defaults filled in, `start.next`
 * resolved, unknown and not-yet-supported fields refused.
 */
export interface PhloDocument {
  name: string;
  description?: string;
  start: StartNode;
  nodes: MultiPartyCallNode[];
}

/** The only trigger this version runs: the run endpoint (`POST /v1/account/{id}/phlo/{id}`). */
export type StartTrigger = 'api';

export interface StartNode {
  triggers: StartTrigger[];
  /** Name of the node a run starts. */
  next: string;
}

/** The template of a multi-party call (DESIGN.md §2, "MPC node"). */
export interface MultiPartyCallNode {
  /** A UUID, assigned by assignIds; absent in a document as written. */
  id?: string;
  type: 'multi_party_call';
  name: string;
  /** First leg (role agent): an address, or a template such as `{{start.from}}`. */
  from: string;
  /** Second leg (role customer), dialled when the first answers; templated like `from`. */
  to: string;
  /** The caller ID shown to the legs dialled; templated like `from`. */
  caller_id?: string;
  /** Seconds a dialled leg may ring before it is given up (no-answer). */
  ring_timeout: number;
  /** Members in the call at most, including those being dialled. */
  max_participants: number;
  /** Audio source held agents (and supervisors) hear; absent: the server's default. */
  agent_hold_music?: string;
  /** Audio source held customers hear; absent: the server's default. */
  customer_hold_music?: string;
}

/** A node once assignIds has run. */
export type IdentifiedNode = MultiPartyCallNode & { id: string };

/** A document whose every node has its id (what the store keeps). */
export interface IdentifiedPhloDocument extends PhloDocument {
  nodes: IdentifiedNode[];
}

/** The free key/value body of a run, read by `{{start.<key>}}`. */
export type RunPayload = Readonly<Record<string, unknown>>;

export const RING_TIMEOUT = { min: 5, max: 300, default: 45 } as const;
export const MAX_PARTICIPANTS = { min: 2, max: 100, default: 10 } as const;
export const MAX_NODES = 50;
export const MAX_NAME_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 2000;
/** Longest document text accepted (JSON or YAML). */
export const MAX_DOCUMENT_BYTES = 256 * 1024;
