/**
 * A test double of ApiService (allowed here: this is a unit test of the HTTP
 * layer, above the service it replaces). It records every call, answers with
 * fixed views, and can be told to fail a method with any error.
 */
import { after, before, beforeEach } from 'node:test';
import pino, { type Logger } from 'pino';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApi, type BuildApiOptions } from '../../src/api/index.js';
import { ServiceError } from '../../src/api/index.js';
import type {
  ApiService,
  CallDetailView,
  CallView,
  LiveCallView,
  LiveUpdate,
  NodeView,
  PhloView,
  RecordingView,
  RunResult,
} from '../../src/api/index.js';

export const AUTH_ID = 'MAZDQ1ZJIYMDZKMTEXNM';
export const AUTH_TOKEN = 'c2VjcmV0LXRva2VuLWZvci10ZXN0cy1vbmx5LTEyMzQ1Njc4OTA';
export const OTHER_AUTH_ID = 'MAOTHERACCOUNT000001';
export const OTHER_TOKEN = 'b3RoZXItdG9rZW4tZm9yLXRlc3RzLW9ubHktMDk4NzY1';
export const CREATED = '2018-11-14T04:41:31.827796Z';

export function basic(id: string, token: string): string {
  return `Basic ${Buffer.from(`${id}:${token}`).toString('base64')}`;
}
export const AUTH = basic(AUTH_ID, AUTH_TOKEN);

export interface Call {
  method: keyof ApiService;
  args: unknown[];
}

/** Methods that change something: none may be reached by a rejected request. */
export const WRITES: readonly (keyof ApiService)[] = [
  'createPhlo',
  'replacePhlo',
  'deletePhlo',
  'run',
  'nodeAction',
  'memberAction',
  'memberActionById',
];

export function phloView(phloId = 'P'): PhloView {
  return {
    phloId,
    name: 'Support line',
    createdOn: CREATED,
    updatedOn: '2018-11-15T10:00:00Z',
    version: 2,
    document: { name: 'Support line', nodes: [{ id: 'N', type: 'multi_party_call' }] },
  };
}

export function callView(callId = 'C1'): CallView {
  return {
    callId,
    phloId: 'P',
    nodeId: 'N',
    runId: 'R1',
    state: 'active',
    createdOn: CREATED,
    startedOn: '2018-11-14T04:41:32.5Z',
    endedOn: null,
    endReason: null,
    members: [
      {
        memberId: 'M1',
        address: '+14155550100',
        role: 'agent',
        state: 'connected',
        muted: false,
        held: false,
        createdOn: CREATED,
        joinedOn: '2018-11-14T04:41:33Z',
        leftOn: null,
        hangupCause: null,
        sipStatus: 200,
      },
    ],
  };
}

export class FakeService implements ApiService {
  readonly calls: Call[] = [];
  isReady = true;
  private readonly failures = new Map<keyof ApiService, unknown>();
  private readonly accounts = new Map([
    [AUTH_ID, AUTH_TOKEN],
    [OTHER_AUTH_ID, OTHER_TOKEN],
  ]);

  /** Makes `method` reject with `error` (or throw it, for authenticate). */
  fail(method: keyof ApiService, error: unknown): void {
    this.failures.set(method, error);
  }

  callsTo(method: keyof ApiService): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  writes(): Call[] {
    return this.calls.filter((c) => WRITES.includes(c.method));
  }

  private record(method: keyof ApiService, args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failures.has(method)) throw this.failures.get(method);
  }

  async authenticate(authId: string, authToken: string): Promise<boolean> {
    this.record('authenticate', [authId, authToken]);
    return this.accounts.get(authId) === authToken;
  }
  async createPhlo(authId: string, document: unknown, apiId: string): Promise<PhloView> {
    this.record('createPhlo', [authId, document, apiId]);
    return phloView('PNEW');
  }
  async replacePhlo(authId: string, phloId: string, document: unknown, apiId: string) {
    this.record('replacePhlo', [authId, phloId, document, apiId]);
    return { ...phloView(phloId), version: 3 };
  }
  async getPhlo(authId: string, phloId: string): Promise<PhloView> {
    this.record('getPhlo', [authId, phloId]);
    return phloView(phloId);
  }
  async listPhlos(authId: string): Promise<PhloView[]> {
    this.record('listPhlos', [authId]);
    return [phloView('P'), phloView('P2')];
  }
  async deletePhlo(authId: string, phloId: string, apiId: string): Promise<void> {
    this.record('deletePhlo', [authId, phloId, apiId]);
  }
  async getNode(authId: string, phloId: string, nodeId: string): Promise<NodeView> {
    this.record('getNode', [authId, phloId, nodeId]);
    return {
      nodeId,
      phloId,
      name: 'Support MPC',
      nodeType: 'multi_party_call',
      createdOn: CREATED,
    };
  }
  async run(
    authId: string,
    authIdInPath: string,
    phloId: string,
    payload: Record<string, string>,
    apiId: string,
  ): Promise<RunResult> {
    this.record('run', [authId, authIdInPath, phloId, payload, apiId]);
    return { runId: 'R1', phloId, callId: 'C1', message: 'PHLO run started' };
  }
  async nodeAction(...args: Parameters<ApiService['nodeAction']>): Promise<void> {
    this.record('nodeAction', args);
  }
  async memberAction(...args: Parameters<ApiService['memberAction']>): Promise<void> {
    this.record('memberAction', args);
  }
  async memberActionById(...args: Parameters<ApiService['memberActionById']>): Promise<void> {
    this.record('memberActionById', args);
  }
  async listCalls(...args: Parameters<ApiService['listCalls']>): Promise<CallView[]> {
    this.record('listCalls', args);
    return [
      callView('C1'),
      { ...callView('C0'), state: 'ended', endedOn: CREATED, endReason: 'hangup' },
    ];
  }
  async getCall(...args: Parameters<ApiService['getCall']>): Promise<CallDetailView> {
    this.record('getCall', args);
    return {
      ...callView(args[3]),
      events: [
        {
          seq: 1,
          at: CREATED,
          type: 'member.dialing',
          memberId: 'M1',
          data: { to: '+14155550100' },
        },
        { seq: 2, at: '2018-11-14T04:41:33Z', type: 'call.active', memberId: null, data: {} },
      ],
    };
  }
  /** What getRecording answers (a file of the test's); null: not-found. */
  recording: RecordingView | null = null;
  async getRecording(...args: Parameters<ApiService['getRecording']>): Promise<RecordingView> {
    this.record('getRecording', args);
    if (!this.recording) throw new ServiceError('not-found', `call ${args[3]} has no recording`);
    return this.recording;
  }
  /** What liveCalls answers, for every account. */
  live: LiveCallView[] = [];
  private readonly watchers = new Set<(u: LiveUpdate) => void>();
  watchCalls(listener: (u: LiveUpdate) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }
  liveCalls(authId: string): LiveCallView[] {
    this.record('liveCalls', [authId]);
    return this.live;
  }
  /** Tells every watcher, as the real service does after a commit. */
  emit(update: LiveUpdate): void {
    for (const w of this.watchers) w(update);
  }
  get watching(): number {
    return this.watchers.size;
  }
  ready(): boolean {
    return this.isReady;
  }
}

export interface Harness {
  app: FastifyInstance;
  service: FakeService;
  /** inject with the test account's credentials unless `headers.authorization` is given. */
  send(opts: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function harness(
  options: Partial<Omit<BuildApiOptions, 'service'>> & { service?: FakeService } = {},
): Promise<Harness> {
  const service = options.service ?? new FakeService();
  const logger: Logger = options.logger ?? pino({ level: 'silent' });
  const app = await buildApi({ ...options, service, logger });
  await app.ready();
  return {
    app,
    service,
    send: (opts) =>
      app.inject({ ...opts, headers: { authorization: AUTH, ...(opts.headers ?? {}) } }),
    close: () => app.close(),
  };
}

export function json(res: LightMyRequestResponse): Record<string, unknown> {
  return JSON.parse(res.body) as Record<string, unknown>;
}

/**
 * One harness for a whole test file: built before its tests, closed after
 * them, its record of service calls cleared before each test. The returned
 * object reads through to the harness once it is built.
 */
export function sharedHarness(): Harness {
  let current: Harness | undefined;
  const get = (): Harness => {
    if (!current) throw new Error('the shared harness is used before its before() hook ran');
    return current;
  };
  before(async () => {
    current = await harness();
  });
  after(() => current?.close());
  beforeEach(() => {
    if (current) current.service.calls.length = 0;
  });
  return {
    get app() {
      return get().app;
    },
    get service() {
      return get().service;
    },
    send: (opts) => get().send(opts),
    close: () => get().close(),
  };
}
