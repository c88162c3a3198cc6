/**
 * The ApiService the HTTP layer calls (src/api/service.ts), over the store,
 * the PHLO documents, the accounts and the MPC domain: it checks ownership
 * (another account's PHLO is "not found", never revealed), turns node
 * documents into NodeSettings, and maps domain errors to service errors.
 */
import { randomUUID } from 'node:crypto';
import {
  ServiceError,
  type ApiService,
  type CallDetailView,
  type CallView,
  type MemberAction,
  type NodeActionRequest,
  type NodeView,
  type PhloView,
  type RunResult,
} from '../api/index.js';
import type { TokenVerifier } from '../account/index.js';
import {
  MpcError,
  type MemberActionName,
  type MpcService,
  type NodeSettings,
  type WallClock,
} from '../mpc/index.js';
import {
  assignIds,
  findNode,
  parsePhloDocument,
  renderFirstLegs,
  type IdentifiedNode,
  type IdentifiedPhloDocument,
  type PhloDocument,
} from '../phlo/index.js';
import type { CallRecord, EventRecord, MemberRecord, PhloRecord, Store } from '../store/index.js';

export interface PartylineServiceOptions {
  store: Store;
  mpc: MpcService;
  verifier: TokenVerifier;
  now: WallClock;
  /** Hold music when a node names none. */
  defaultHoldMusic: string;
  ready: () => boolean;
}

const CARRIED_OUT: ReadonlySet<MemberAction> = new Set([
  'hold',
  'unhold',
  'hangup',
  'mute',
  'unmute',
]);

export class PartylineService implements ApiService {
  constructor(private readonly o: PartylineServiceOptions) {}

  ready(): boolean {
    return this.o.ready();
  }

  async authenticate(authId: string, authToken: string): Promise<boolean> {
    const account = await this.o.store.getAccount(authId);
    // A missing account still costs a scrypt, so timing does not tell which ids exist.
    return this.o.verifier.verify(authId, authToken, account?.tokenHash ?? null);
  }

  // ---- PHLO management -------------------------------------------------------

  async createPhlo(authId: string, document: unknown, apiId: string): Promise<PhloView> {
    void apiId;
    const doc = identified(assignIds(parse(document)));
    const at = this.o.now();
    const record: PhloRecord = {
      phloId: randomUUID(),
      authId,
      name: doc.name,
      document: JSON.stringify(doc),
      version: 1,
      createdOn: at,
      updatedOn: at,
    };
    await this.o.store.createPhlo(record);
    return phloView(record);
  }

  async replacePhlo(
    authId: string,
    phloId: string,
    document: unknown,
    apiId: string,
  ): Promise<PhloView> {
    void apiId;
    const existing = await this.phlo(authId, phloId);
    const doc = identified(assignIds(parse(document), documentOf(existing)));
    const record: PhloRecord = {
      ...existing,
      name: doc.name,
      document: JSON.stringify(doc),
      version: existing.version + 1,
      updatedOn: this.o.now(),
    };
    if (!(await this.o.store.replacePhlo(record))) throw phloNotFound(phloId);
    return phloView(record);
  }

  async getPhlo(authId: string, phloId: string): Promise<PhloView> {
    return phloView(await this.phlo(authId, phloId));
  }

  async listPhlos(authId: string): Promise<PhloView[]> {
    return (await this.o.store.listPhlos(authId)).map(phloView);
  }

  async deletePhlo(authId: string, phloId: string, apiId: string): Promise<void> {
    void apiId;
    if (!(await this.o.store.deletePhlo(authId, phloId))) throw phloNotFound(phloId);
  }

  async getNode(authId: string, phloId: string, nodeId: string): Promise<NodeView> {
    const phlo = await this.phlo(authId, phloId);
    const node = this.node(phlo, nodeId);
    return {
      nodeId: node.id,
      phloId,
      name: node.name,
      nodeType: 'multi_party_call',
      createdOn: phlo.createdOn,
    };
  }

  // ---- run and actions ---------------------------------------------------------

  async run(
    authId: string,
    authIdInPath: string,
    phloId: string,
    payload: Record<string, string>,
    apiId: string,
  ): Promise<RunResult> {
    // The run URL names the account; another account's id is "not found", as its PHLOs are.
    if (authIdInPath !== authId) throw phloNotFound(phloId);
    const phlo = await this.phlo(authId, phloId);
    const doc = documentOf(phlo);
    const node = doc.nodes.find((n: IdentifiedNode) => n.name === doc.start.next);
    if (!node) throw new ServiceError('validation', `PHLO ${phloId}: start.next names no node`);
    const legs = renderFirstLegs(node, payload);
    if ('errors' in legs) throw new ServiceError('validation', legs.errors.join('; '));
    const runId = randomUUID();
    const settings = this.settings(phloId, node, legs.callerId ?? null);
    const { callId } = await domain(() =>
      this.o.mpc.run({
        authId,
        apiId,
        runId,
        node: settings,
        payload,
        from: legs.from,
        to: legs.to,
      }),
    );
    return {
      runId,
      phloId,
      callId,
      message: `PHLO ${phlo.name} started: dialling ${legs.from} (agent), then ${legs.to} (customer) when the agent answers`,
    };
  }

  async nodeAction(
    authId: string,
    phloId: string,
    nodeId: string,
    request: NodeActionRequest,
    apiId: string,
  ): Promise<void> {
    const node = this.node(await this.phlo(authId, phloId), nodeId);
    if (request.action !== 'call')
      throw new ServiceError(
        'not-available',
        `${request.action} is not available yet in this version of Partyline (available: call)`,
      );
    await domain(() =>
      this.o.mpc.call({
        authId,
        apiId,
        node: this.settings(phloId, node, null),
        to: request.to,
        role: request.role,
        triggerSource: request.triggerSource,
      }),
    );
  }

  async memberAction(
    authId: string,
    phloId: string,
    nodeId: string,
    memberAddress: string,
    action: MemberAction,
    apiId: string,
  ): Promise<void> {
    const node = this.node(await this.phlo(authId, phloId), nodeId);
    if (!CARRIED_OUT.has(action))
      throw new ServiceError(
        'not-available',
        `${action} is not available yet in this version of Partyline (available: ${[...CARRIED_OUT].join(', ')})`,
      );
    await domain(() =>
      this.o.mpc.memberAction({
        authId,
        apiId,
        node: this.settings(phloId, node, null),
        memberAddress,
        action: action as MemberActionName,
      }),
    );
  }

  // ---- calls of a node (our extension) ----------------------------------------------

  async listCalls(
    authId: string,
    phloId: string,
    nodeId: string,
    options: { live?: boolean; limit?: number },
  ): Promise<CallView[]> {
    this.node(await this.phlo(authId, phloId), nodeId);
    const calls = await this.o.store.listCalls(authId, phloId, nodeId, options);
    return Promise.all(calls.map(async (c) => callView(c, await this.o.store.members(c.callId))));
  }

  async getCall(
    authId: string,
    phloId: string,
    nodeId: string,
    callId: string,
  ): Promise<CallDetailView> {
    this.node(await this.phlo(authId, phloId), nodeId);
    const call = await this.o.store.getCall(callId);
    if (!call || call.authId !== authId || call.phloId !== phloId || call.nodeId !== nodeId)
      throw new ServiceError('not-found', `call ${callId} not found in node ${nodeId}`);
    const [members, events] = await Promise.all([
      this.o.store.members(callId),
      this.o.store.events(callId),
    ]);
    return { ...callView(call, members), events: events.map(eventView) };
  }

  // ---- lookups -------------------------------------------------------------------------

  private async phlo(authId: string, phloId: string): Promise<PhloRecord> {
    const phlo = await this.o.store.getPhlo(authId, phloId);
    if (!phlo) throw phloNotFound(phloId);
    return phlo;
  }

  private node(phlo: PhloRecord, nodeId: string): IdentifiedNode {
    const node = findNode(documentOf(phlo), nodeId);
    if (!node)
      throw new ServiceError(
        'not-found',
        `multi_party_call node ${nodeId} not found in PHLO ${phlo.phloId}`,
      );
    return node;
  }

  private settings(phloId: string, node: IdentifiedNode, callerId: string | null): NodeSettings {
    return {
      phloId,
      nodeId: node.id,
      name: node.name,
      callerId,
      ringTimeoutMs: node.ring_timeout * 1000,
      maxParticipants: node.max_participants,
      agentHoldMusic: node.agent_hold_music ?? this.o.defaultHoldMusic,
      customerHoldMusic: node.customer_hold_music ?? this.o.defaultHoldMusic,
    };
  }
}

function parse(document: unknown): PhloDocument {
  const result = parsePhloDocument(document);
  if ('errors' in result)
    throw new ServiceError('validation', `invalid PHLO document: ${result.errors.join('; ')}`);
  return result.document;
}

function identified(
  result: { document: IdentifiedPhloDocument } | { errors: string[] },
): IdentifiedPhloDocument {
  if ('errors' in result)
    throw new ServiceError('validation', `invalid PHLO document: ${result.errors.join('; ')}`);
  return result.document;
}

function documentOf(phlo: PhloRecord): IdentifiedPhloDocument {
  return JSON.parse(phlo.document) as IdentifiedPhloDocument;
}

function phloNotFound(phloId: string): ServiceError {
  return new ServiceError('not-found', `PHLO ${phloId} not found`);
}

/** Domain errors become service errors of the same kind; anything else is a 500 upstream. */
async function domain<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MpcError) throw new ServiceError(err.kind, err.message);
    throw err;
  }
}

function phloView(p: PhloRecord): PhloView {
  return {
    phloId: p.phloId,
    name: p.name,
    createdOn: p.createdOn,
    updatedOn: p.updatedOn,
    version: p.version,
    document: JSON.parse(p.document) as Record<string, unknown>,
  };
}

function callView(c: CallRecord, members: MemberRecord[]): CallView {
  return {
    callId: c.callId,
    phloId: c.phloId,
    nodeId: c.nodeId,
    runId: c.runId,
    state: c.state,
    createdOn: c.createdOn,
    startedOn: c.startedOn,
    endedOn: c.endedOn,
    endReason: c.endReason,
    members: members.map((m) => ({
      memberId: m.memberId,
      address: m.address,
      role: m.role,
      state: m.state,
      muted: m.muted,
      held: m.held,
      createdOn: m.createdOn,
      joinedOn: m.joinedOn,
      leftOn: m.leftOn,
      hangupCause: m.hangupCause,
      sipStatus: m.sipStatus,
    })),
  };
}

function eventView(e: EventRecord): CallDetailView['events'][number] {
  return {
    seq: e.seq,
    at: e.at,
    type: e.type,
    memberId: e.memberId,
    data: JSON.parse(e.data) as Record<string, unknown>,
  };
}
