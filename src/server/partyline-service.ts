/**
 * The ApiService the HTTP layer calls (src/api/service.ts), over the store,
 * the PHLO documents, the accounts and the MPC domain: it checks ownership
 * (another account's PHLO is "not found", never revealed), turns node
 * documents into NodeSettings, and maps domain errors to service errors.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  ServiceError,
  type ApiService,
  type CallDetailView,
  type CallView,
  type LiveCallView,
  type LiveUpdate,
  type MemberAction,
  type NodeActionRequest,
  type NodeView,
  type PhloView,
  type RecordingView,
  type RunResult,
} from '../api/index.js';
import { callbackSigningKey, type TokenVerifier } from '../account/index.js';
import {
  MpcError,
  type CallFeedUpdate,
  type IncomingLegHandle,
  type MpcService,
  type NodeSettings,
  type WallClock,
} from '../mpc/index.js';
import {
  assignIds,
  findNode,
  parsePhloDocument,
  incomingKey,
  incomingKeys,
  renderAgents,
  renderEventCallbackUrl,
  readStoredDocument,
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
  logger: Logger;
}

export class PartylineService implements ApiService {
  /** Incoming number / SIP user (incomingKey) → the PHLO that takes its calls. */
  private readonly incomingIndex = new Map<string, { authId: string; phloId: string }>();

  constructor(private readonly o: PartylineServiceOptions) {}

  ready(): boolean {
    return this.o.ready();
  }

  async authenticate(authId: string, authToken: string, admit?: () => void): Promise<boolean> {
    const account = await this.o.store.getAccount(authId);
    // A missing account still costs a scrypt, so timing does not tell which ids exist.
    const ok = await this.o.verifier.verify(authId, authToken, account?.tokenHash ?? null, admit);
    if (ok && account && !account.signingKey) {
      // An account from before signed callbacks: the token is at hand now, so its key can be made.
      await this.o.store.setAccountSigningKey(authId, callbackSigningKey(authToken));
    }
    return ok;
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
    this.checkIncoming(doc, null);
    await this.o.store.createPhlo(record);
    this.indexIncoming(record);
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
    this.checkIncoming(doc, phloId);
    if (!(await this.o.store.replacePhlo(record))) throw phloNotFound(phloId);
    this.indexIncoming(record);
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
    for (const [key, owner] of this.incomingIndex)
      if (owner.phloId === phloId) this.incomingIndex.delete(key);
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
    if (!doc.start.triggers.includes('api'))
      throw new ServiceError(
        'validation',
        `PHLO ${phloId} starts only on incoming calls (start.triggers has no 'api'), so it cannot be run`,
      );
    const node = doc.nodes.find((n: IdentifiedNode) => n.name === doc.start.next);
    if (!node) throw new ServiceError('validation', `PHLO ${phloId}: start.next names no node`);
    const legs = renderFirstLegs(node, payload);
    if ('errors' in legs) throw new ServiceError('validation', legs.errors.join('; '));
    const runId = randomUUID();
    const callback = renderEventCallbackUrl(node, payload);
    if ('error' in callback) throw new ServiceError('validation', callback.error);
    const settings = this.settings(phloId, node, legs.callerId ?? null, callback.url);
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
    const settings = this.settings(phloId, node, null, null);
    const call = {
      authId,
      apiId,
      node: settings,
      to: request.to,
      role: request.role,
      triggerSource: request.triggerSource,
    };
    if (request.action === 'call') return domain(() => this.o.mpc.call(call));
    const kind = request.action === 'warm_transfer' ? 'warm' : 'cold';
    await domain(() => this.o.mpc.transfer({ ...call, kind }));
  }

  async memberAction(
    authId: string,
    phloId: string,
    nodeId: string,
    memberAddress: string,
    action: MemberAction,
    apiId: string,
  ): Promise<void> {
    await this.actOnMember(authId, phloId, nodeId, action, apiId, { memberAddress });
  }

  async memberActionById(
    authId: string,
    phloId: string,
    nodeId: string,
    callId: string,
    memberId: string,
    action: MemberAction,
    apiId: string,
  ): Promise<void> {
    await this.actOnMember(authId, phloId, nodeId, action, apiId, { callId, memberId });
  }

  private async actOnMember(
    authId: string,
    phloId: string,
    nodeId: string,
    action: MemberAction,
    apiId: string,
    member: { memberAddress: string } | { callId: string; memberId: string },
  ): Promise<void> {
    const node = this.node(await this.phlo(authId, phloId), nodeId);
    const settings = this.settings(phloId, node, null, null);
    await domain(() =>
      this.o.mpc.memberAction({ authId, apiId, node: settings, action, ...member }),
    );
  }

  // ---- inbound calls ---------------------------------------------------------------

  /**
   * A call to us: the PHLO whose start.incoming names the called number or
   * user takes it (the caller joins its node as customer, the node's agents
   * are dialled); nothing configured for it → 404.
   */
  async incoming(leg: IncomingLegHandle): Promise<void> {
    const called = leg.calledUser ?? '';
    const owner = this.incomingIndex.get(incomingKey(called) ?? '');
    const phlo = owner ? await this.o.store.getPhlo(owner.authId, owner.phloId) : null;
    if (!owner || !phlo) {
      leg.reject(404, 'No PHLO takes calls for this number');
      return;
    }
    const doc = documentOf(phlo);
    const node = doc.nodes.find((n) => n.name === doc.start.next);
    const payload = { from: leg.address, to: called };
    const agents = node ? renderAgents(node, payload) : { errors: ['start.next names no node'] };
    const callback = node ? renderEventCallbackUrl(node, payload) : { url: null };
    if (!node || 'errors' in agents || 'error' in callback) {
      this.o.logger.warn(
        { phlo_id: phlo.phloId, called, errors: 'errors' in agents ? agents.errors : callback },
        'an inbound call for a PHLO that cannot start: refused',
      );
      leg.reject(480, 'The PHLO for this number cannot start');
      return;
    }
    await domain(() =>
      this.o.mpc.incoming({
        authId: owner.authId,
        runId: randomUUID(),
        node: this.settings(
          phlo.phloId,
          node,
          agents.callerId,
          'url' in callback ? callback.url : null,
        ),
        leg,
        agents: agents.agents,
      }),
    ).catch((err: unknown) => {
      this.o.logger.error({ err, called }, 'an inbound call could not start');
      leg.reject(500, 'Server Error');
    });
  }

  /** Rebuilds the index of incoming numbers and users from every account's PHLOs (at start). */
  async loadIncomingIndex(): Promise<void> {
    this.incomingIndex.clear();
    for (const account of await this.o.store.listAccounts())
      for (const phlo of await this.o.store.listPhlos(account.authId)) this.indexIncoming(phlo);
  }

  private indexIncoming(phlo: PhloRecord): void {
    for (const [key, owner] of this.incomingIndex)
      if (owner.phloId === phlo.phloId) this.incomingIndex.delete(key);
    for (const key of incomingKeys(documentOf(phlo)))
      this.incomingIndex.set(key, { authId: phlo.authId, phloId: phlo.phloId });
  }

  /** A PHLO may not claim a number or user that another PHLO takes calls for. */
  private checkIncoming(doc: IdentifiedPhloDocument, phloId: string | null): void {
    for (const key of incomingKeys(doc)) {
      const owner = this.incomingIndex.get(key);
      if (owner && owner.phloId !== phloId)
        throw new ServiceError(
          'conflict',
          `start.incoming: ${key.replace(/^phone:/, '+')} already starts another PHLO`,
        );
    }
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

  async getRecording(
    authId: string,
    phloId: string,
    nodeId: string,
    callId: string,
  ): Promise<RecordingView> {
    const call = await this.getCall(authId, phloId, nodeId, callId);
    const ready = call.events.findLast((e) => e.type === 'recording.ready');
    const path = ready?.data.path;
    if (typeof path !== 'string') {
      const why = call.state === 'ended' ? 'was not recorded' : 'is still live';
      throw new ServiceError('not-found', `call ${callId} has no recording: it ${why}`);
    }
    return { path, durationMs: Number(ready?.data.duration_ms ?? 0) };
  }

  // ---- live changes (our extension) --------------------------------------------------

  watchCalls(listener: (update: LiveUpdate) => void): () => void {
    return this.o.mpc.feed.subscribe((u) => listener(liveUpdate(u)));
  }

  liveCalls(authId: string): LiveCallView[] {
    return this.o.mpc.liveCalls(authId).map((c) => ({
      call: callView(c.call, c.members),
      talking: c.talking,
    }));
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

  private settings(
    phloId: string,
    node: IdentifiedNode,
    callerId: string | null,
    eventCallbackUrl: string | null,
  ): NodeSettings {
    return {
      phloId,
      nodeId: node.id,
      name: node.name,
      callerId,
      ringTimeoutMs: node.ring_timeout * 1000,
      maxParticipants: node.max_participants,
      agentHoldMusic: audio(node.agent_hold_music) ?? this.o.defaultHoldMusic,
      customerHoldMusic: audio(node.customer_hold_music) ?? this.o.defaultHoldMusic,
      waitMusic: node.wait_music === undefined ? this.o.defaultHoldMusic : audio(node.wait_music),
      enterSound: audio(node.enter_sound),
      exitSound: audio(node.exit_sound),
      maxDurationMs: node.max_duration * 1000,
      endOnExit: node.end_on_exit,
      aloneTimeoutMs: node.alone_timeout * 1000,
      record: node.record,
      voicemailMessage: audio(node.voicemail_message),
      eventCallbackUrl,
      coldTransferFailure: {
        message: audio(node.cold_transfer_failure.message),
        then: node.cold_transfer_failure.then,
      },
    };
  }
}

/** An audio spec as the engine takes it: `none` (and absent) is nothing to play. */
function audio(spec: string | undefined): string | null {
  return spec === undefined || spec === 'none' ? null : spec;
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

/** The stored document, with the defaults of fields newer than it filled in. */
/**
 * Stored documents as read back, by PHLO and version. Every action reads
 * its PHLO's document, and validating it afresh each time was 3 % of a
 * `call` request's CPU; a version's text never changes (a replace makes
 * the next version), and the text is compared too, so a hit is always the
 * document stored. Cleared whole when full — a miss only costs the parse.
 * The documents are shared: readers never change them.
 */
const readDocuments = new Map<string, { json: string; document: IdentifiedPhloDocument }>();
const READ_DOCUMENTS_MAX = 1024;

function documentOf(phlo: PhloRecord): IdentifiedPhloDocument {
  const key = `${phlo.phloId}\0${phlo.version}`;
  const hit = readDocuments.get(key);
  if (hit && hit.json === phlo.document) return hit.document;
  const read = readStoredDocument(phlo.document);
  if ('errors' in read)
    throw new Error(`stored PHLO ${phlo.phloId} is unreadable: ${read.errors.join('; ')}`);
  if (readDocuments.size >= READ_DOCUMENTS_MAX) readDocuments.clear();
  readDocuments.set(key, { json: phlo.document, document: read.document });
  return read.document;
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

function liveUpdate(u: CallFeedUpdate): LiveUpdate {
  const { authId } = u.call;
  if (u.kind === 'talking') {
    const { callId, phloId, nodeId } = u.call;
    return {
      kind: 'talking',
      authId,
      phloId,
      nodeId,
      callId,
      memberId: u.memberId,
      talking: u.talking,
    };
  }
  return {
    kind: 'call',
    authId,
    call: callView(u.call, u.members),
    talking: u.talking,
    events: u.events,
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
