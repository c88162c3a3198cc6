/**
 * A Multi-Party Call node of a PHLO: Plivo's node actions (`call`,
 * `warm_transfer`, `cold_transfer`, and `abort_transfer` on a member), its
 * members, and our extensions — the node's calls, one call with its events,
 * a member by id, and a call's live events.
 */
import {
  actionResult,
  call,
  callDetail,
  type ActionResult,
  type Call,
  type CallDetail,
  type CallEvent,
  type Role,
} from './calls.js';
import { pollCallEvents, type CallEventsOptions } from './events.js';
import type { Transport } from './http.js';
import { CallMemberHandle, Member } from './member.js';
import { list, str, segment, type Json } from './wire.js';

export type NodeActionName = 'call' | 'warm_transfer' | 'cold_transfer';

/** `GET /v1/phlo/{phlo}/multi_party_call/{node}`, with the node's methods. */
export interface MultiPartyCallNode extends MultiPartyCall {
  apiId: string;
  name: string;
  nodeType: 'multi_party_call';
  createdOn: string;
}

export interface ListCallsOptions {
  /** Only calls not yet ended. */
  live?: boolean;
  /** At most this many (1…1000), newest first. */
  limit?: number;
}

export class MultiPartyCall {
  constructor(
    protected readonly transport: Transport,
    readonly phloId: string,
    readonly nodeId: string,
  ) {}

  private get path(): string {
    return `/phlo/${segment(this.phloId)}/multi_party_call/${segment(this.nodeId)}`;
  }

  /** Retrieves the node (Plivo's "Retrieve a Multi-Party Call"). */
  async get(): Promise<MultiPartyCallNode> {
    const o = await this.transport.request('GET', this.path);
    return Object.assign(new MultiPartyCall(this.transport, this.phloId, this.nodeId), {
      apiId: str(o, 'api_id'),
      name: str(o, 'name'),
      nodeType: 'multi_party_call' as const,
      createdOn: str(o, 'created_on'),
    });
  }

  /**
   * Dials `to` into the live call where `triggerSource` is a connected agent
   * (or supervisor); it joins with `role` when it answers. The promise
   * resolves once the dial has started: follow the outcome in `getCall` or
   * `events`.
   */
  call(triggerSource: string, to: string, role: Role = 'agent'): Promise<ActionResult> {
    return this.nodeAction('call', triggerSource, to, role);
  }

  /** U1 (`triggerSource`) consults U3 (`to`) privately while the others hear hold music. */
  warmTransfer(triggerSource: string, to: string, role: Role = 'agent'): Promise<ActionResult> {
    return this.nodeAction('warm_transfer', triggerSource, to, role);
  }

  /** U1 leaves at once; U3 is dialled and joins the others. */
  coldTransfer(triggerSource: string, to: string, role: Role = 'agent'): Promise<ActionResult> {
    return this.nodeAction('cold_transfer', triggerSource, to, role);
  }

  /** By U1 (`memberAddress`): cancels the pending transfer (as Plivo's Node SDK offers it). */
  abortTransfer(memberAddress: string): Promise<ActionResult> {
    return this.member(memberAddress).abortTransfer();
  }

  /** A member of the node's live call, by address. */
  member(address: string): Member {
    return new Member(this.transport, this.phloId, this.nodeId, address);
  }

  /** The node's calls (extension), newest first, with their members. */
  async calls(options: ListCallsOptions = {}): Promise<Call[]> {
    const o = await this.transport.request('GET', `${this.path}/calls`, undefined, {
      query: { live: options.live, limit: options.limit },
    });
    return list(o, 'calls').map(call);
  }

  /** One call with its members and event history (extension). */
  async getCall(callId: string): Promise<CallDetail> {
    return callDetail(await this.transport.request('GET', `${this.path}/calls/${segment(callId)}`));
  }

  /** A member by call and member id (extension): any member action, incl. coach / barge / listen. */
  callMember(callId: string, memberId: string): CallMemberHandle {
    return new CallMemberHandle(this.transport, this.phloId, this.nodeId, callId, memberId);
  }

  /**
   * The call's events as they happen, ending when the call ends. This
   * polls `getCall` with back-off (the server has no push endpoint yet);
   * see events.ts.
   */
  events(
    callId: string,
    options: CallEventsOptions = {},
  ): AsyncGenerator<CallEvent, void, undefined> {
    return pollCallEvents(() => this.getCall(callId), options);
  }

  private async nodeAction(
    action: NodeActionName,
    triggerSource: string,
    to: string,
    role: Role,
  ): Promise<ActionResult> {
    const body: Json = { action, trigger_source: triggerSource, to, role };
    return actionResult(await this.transport.request('POST', this.path, body));
  }
}

/**
 * `phlo.multiPartyCall`: call it with a node id for the node's methods, or
 * `.get(nodeId)` to retrieve it — both spellings of Plivo's Node SDK.
 */
export interface MultiPartyCallAccessor {
  (nodeId: string): MultiPartyCall;
  get(nodeId: string): Promise<MultiPartyCallNode>;
}

export function multiPartyCallAccessor(
  transport: Transport,
  phloId: string,
): MultiPartyCallAccessor {
  const accessor = (nodeId: string): MultiPartyCall =>
    new MultiPartyCall(transport, phloId, nodeId);
  return Object.assign(accessor, {
    get: (nodeId: string) => accessor(nodeId).get(),
  });
}
