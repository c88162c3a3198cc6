/**
 * PHLOs: Plivo's retrieve and run, and our management extensions (create,
 * replace, list, delete). `client.phlo` is both a function (a PHLO by id,
 * no request) and an object with `get`/`create`/`list`/…, as in Plivo's
 * Node SDK — and, unlike its 4.79, the PHLO that `get` resolves can `run()`.
 */
import type { Transport } from './http.js';
import {
  multiPartyCallAccessor,
  type MultiPartyCall,
  type MultiPartyCallAccessor,
} from './multi-party-call.js';
import { num, obj, list, str, segment, type Json } from './wire.js';

/** A PHLO document: a JSON object, or YAML text (sent as application/yaml). */
export type PhloDocument = Record<string, unknown> | string;

/** The free key/value payload the PHLO's templates read (`{{start.from}}`). */
export type RunPayload = Record<string, string | number | boolean>;

export interface RunResult {
  apiId: string;
  /** The run's id (Plivo's `phlo_run_id`). */
  phloRunId: string;
  phloId: string;
  /** The call (MPC instance) the run created: pass it to `getCall` / `events`. */
  callId: string;
  message: string;
}

export interface DeleteResult {
  apiId: string;
  message: string;
}

/** A PHLO by id: its methods, without a request. */
export class PhloHandle {
  /** Its Multi-Party Call nodes: `multiPartyCall(nodeId)` or `multiPartyCall.get(nodeId)`. */
  readonly multiPartyCall: MultiPartyCallAccessor;

  constructor(
    protected readonly transport: Transport,
    readonly phloId: string,
  ) {
    this.multiPartyCall = multiPartyCallAccessor(transport, phloId);
  }

  /** Retrieves it. */
  async get(): Promise<Phlo> {
    return phlo(
      this.transport,
      await this.transport.request('GET', `/phlo/${segment(this.phloId)}`),
    );
  }

  /**
   * Runs it (API trigger): `POST /v1/account/{auth_id}/phlo/{phlo_id}`.
   * The account in the path is the client's (the server checks it is).
   */
  async run(payload: RunPayload = {}): Promise<RunResult> {
    const o = await this.transport.request(
      'POST',
      `/account/${segment(this.transport.authId)}/phlo/${segment(this.phloId)}`,
      payload,
    );
    return {
      apiId: str(o, 'api_id'),
      phloRunId: str(o, 'phlo_run_id'),
      phloId: str(o, 'phlo_id'),
      callId: str(o, 'call_id'),
      message: str(o, 'message'),
    };
  }

  /** Replaces its document (extension); node ids are kept by node name. */
  async replace(document: PhloDocument): Promise<Phlo> {
    const o = await this.transport.request(
      'PUT',
      `/phlo/${segment(this.phloId)}`,
      document,
      documentOptions(document),
    );
    return phlo(this.transport, o);
  }

  /** Deletes it (extension). */
  async delete(): Promise<DeleteResult> {
    const o = await this.transport.request('DELETE', `/phlo/${segment(this.phloId)}`);
    return { apiId: str(o, 'api_id'), message: str(o, 'message') };
  }
}

/** A retrieved PHLO: its fields, and every method of a PhloHandle. */
export class Phlo extends PhloHandle {
  constructor(
    transport: Transport,
    phloId: string,
    readonly apiId: string,
    readonly name: string,
    readonly createdOn: string,
    readonly updatedOn: string,
    readonly version: number,
    /** The stored document, node ids filled in. */
    readonly document: Record<string, unknown>,
  ) {
    super(transport, phloId);
  }

  /** The ids and names of its Multi-Party Call nodes, from the document. */
  get nodes(): { nodeId: string; name: string }[] {
    return list(this.document, 'nodes')
      .filter((n) => n.type === 'multi_party_call')
      .map((n) => ({ nodeId: str(n, 'id'), name: str(n, 'name') }));
  }

  /** The first Multi-Party Call node (the one a single-node PHLO has). */
  firstNode(): MultiPartyCall {
    const first = this.nodes[0];
    if (first === undefined) throw new Error(`PHLO ${this.phloId} has no multi_party_call node`);
    return this.multiPartyCall(first.nodeId);
  }
}

function phlo(transport: Transport, o: Json, apiId: string = str(o, 'api_id')): Phlo {
  return new Phlo(
    transport,
    str(o, 'phlo_id'),
    apiId,
    str(o, 'name'),
    str(o, 'created_on'),
    str(o, 'updated_on'),
    num(o, 'version'),
    obj(o, 'document'),
  );
}

function documentOptions(document: PhloDocument): { contentType?: string } {
  return typeof document === 'string' ? { contentType: 'application/yaml' } : {};
}

/** `client.phlo`: `phlo(phloId)` for its methods, or the account-wide operations. */
export interface PhloAccessor {
  (phloId: string): PhloHandle;
  /** Retrieves a PHLO. */
  get(phloId: string): Promise<Phlo>;
  /** Creates a PHLO from a document (extension). */
  create(document: PhloDocument): Promise<Phlo>;
  /** Replaces a PHLO's document (extension). */
  replace(phloId: string, document: PhloDocument): Promise<Phlo>;
  /** The account's PHLOs (extension). */
  list(): Promise<Phlo[]>;
  /** Deletes a PHLO (extension). */
  delete(phloId: string): Promise<DeleteResult>;
}

export function phloAccessor(transport: Transport): PhloAccessor {
  const accessor = (phloId: string): PhloHandle => new PhloHandle(transport, phloId);
  return Object.assign(accessor, {
    get: (phloId: string) => accessor(phloId).get(),
    replace: (phloId: string, document: PhloDocument) => accessor(phloId).replace(document),
    delete: (phloId: string) => accessor(phloId).delete(),
    async create(document: PhloDocument): Promise<Phlo> {
      return phlo(
        transport,
        await transport.request('POST', '/phlo', document, documentOptions(document)),
      );
    },
    async list(): Promise<Phlo[]> {
      const o = await transport.request('GET', '/phlo');
      const apiId = str(o, 'api_id');
      return list(o, 'phlos').map((p) => phlo(transport, p, apiId));
    },
  });
}
