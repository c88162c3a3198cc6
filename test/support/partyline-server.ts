/**
 * A real Partyline call server for end-to-end tests, in this process: the
 * HTTP API on 127.0.0.1 (kernel-chosen port), SIP on 127.0.0.1 with short
 * RFC timers, RTP from a port range unlikely to be shared with a parallel
 * test file, SQLite in a temporary data directory. The first start creates
 * the account and the example PHLO, whose ids the tests use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { validateConfig, type Config } from '../../src/config/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import type { TrunkConfig } from '../../src/sip/ua/index.js';
import { TonePhone, type TonePhoneOptions } from './phones/index.js';

export interface TestServerOptions {
  trunks?: TrunkConfig[];
  /** Changes to the configuration before start. */
  configure?: (c: Config) => void;
  /** Data directory to reuse (a restart); default a fresh temporary one, removed on stop(). */
  dataDir?: string;
  /** Default: silent (PARTYLINE_TEST_LOG=debug shows the server's logs). */
  logger?: Logger;
  /** The PHLO made on first start; default test/fixtures/phlo/quiet-support-line.yaml. */
  examplePath?: string;
}

export const QUIET_PHLO = join(
  import.meta.dirname,
  '..',
  'fixtures',
  'phlo',
  'quiet-support-line.yaml',
);

/** The quiet PHLO, recorded (`record: true`). */
export const RECORDED_PHLO = join(
  import.meta.dirname,
  '..',
  'fixtures',
  'phlo',
  'recorded-support-line.yaml',
);

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

export interface TestServer {
  server: RunningServer;
  baseUrl: string;
  authId: string;
  authToken: string;
  phloId: string;
  nodeId: string;
  dataDir: string;
  /** An authenticated request to the API (JSON body when `body` is an object). */
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse>;
  /** The call (with members and events) of a node's most recent call. */
  latestCall(): Promise<Record<string, unknown>>;
  /** The call (with members and events) of this id, in `node` (default: the example PHLO's). */
  getCall(callId: string, node?: NodeRef): Promise<Record<string, unknown>>;
  /**
   * Polls until `check` passes on the latest call of the example node (or
   * on call `callId` of `node`), or fails with the last state.
   */
  waitCall(
    check: (call: CallState) => boolean,
    what: string,
    opts?: WaitOptions,
  ): Promise<CallState>;
  stop(): Promise<void>;
}

/** A PHLO's MPC node. */
export interface NodeRef {
  phloId: string;
  nodeId: string;
}

export interface WaitOptions {
  /** Default 15 s. */
  timeoutMs?: number;
  /** This call instead of the latest of the example node. */
  callId?: string;
  /** The node of `callId`; default the example PHLO's. */
  node?: NodeRef;
}

export interface MemberState {
  member_id: string;
  address: string;
  role: string;
  state: string;
  muted: boolean;
  held: boolean;
  hangup_cause: string | null;
  sip_status: number | null;
}

export interface CallState {
  call_id: string;
  state: string;
  end_reason: string | null;
  members: MemberState[];
  events: { type: string; member_id: string | null; data: Record<string, unknown> }[];
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'partyline-server-'));
  const config = validateConfig({
    logLevel: 'silent',
    sip: {
      address: '127.0.0.1',
      port: 0,
      transports: ['udp'],
      timers: { T1: 100, T2: 400, T4: 500 },
      trunks: opts.trunks ?? [],
    },
    http: { host: '127.0.0.1', port: 0, rateLimitPerSecond: 0 },
    media: mediaRange(),
    dataDir,
  });
  opts.configure?.(config);
  const logger = opts.logger ?? pino({ level: process.env.PARTYLINE_TEST_LOG ?? 'silent' });
  const server = await startServer({
    config,
    logger,
    print: () => undefined,
    examplePath: opts.examplePath ?? QUIET_PHLO,
  });
  const first = server.firstStart;
  const creds = first ?? { authId: '', authToken: '', phloId: '', nodeId: '' };
  const authorization = `Basic ${Buffer.from(`${creds.authId}:${creds.authToken}`).toString('base64')}`;
  const api: TestServer['api'] = async (method, path, body, headers = {}) => {
    const init: RequestInit = { method, headers: { authorization, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${server.baseUrl}${path}`, init);
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Not JSON: the test asserting on it will say so.
    }
    return { status: res.status, headers: res.headers, text, json };
  };
  const nodePath = `/v1/phlo/${creds.phloId}/multi_party_call/${creds.nodeId}`;
  const getCall = async (callId: string, node: NodeRef = creds): Promise<Record<string, unknown>> =>
    (await api('GET', `/v1/phlo/${node.phloId}/multi_party_call/${node.nodeId}/calls/${callId}`))
      .json;
  const latestCall = async (): Promise<Record<string, unknown>> => {
    const list = await api('GET', `${nodePath}/calls?limit=1`);
    const calls = (list.json.calls as { call_id: string }[] | undefined) ?? [];
    if (calls.length === 0) return {};
    return getCall(calls[0].call_id);
  };
  return {
    server,
    baseUrl: server.baseUrl,
    ...creds,
    dataDir,
    api,
    latestCall,
    getCall,
    async waitCall(check, what, opts = {}) {
      const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
      let last: CallState | null = null;
      while (Date.now() < deadline) {
        last = (await (opts.callId
          ? getCall(opts.callId, opts.node)
          : latestCall())) as unknown as CallState;
        if (last && last.call_id && check(last)) return last;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(
        `timed out waiting for ${what}; last state:\n${JSON.stringify(last, null, 2)}`,
      );
    },
    async stop() {
      await server.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** 200 ports from a random even base, so parallel test files rarely meet (taken ports are skipped anyway). */
export function mediaRange(): { portMin: number; portMax: number } {
  const base = 30000 + 2 * Math.floor(Math.random() * 9000);
  return { portMin: base, portMax: base + 199 };
}

/** The member of a call state with this address (as stored: normalised). */
export function memberOf(call: CallState, address: string): MemberState | undefined {
  return [...call.members].reverse().find((m) => m.address === address);
}

/** Something that runs cleanups when a test ends (node:test's TestContext). */
export interface AfterHook {
  after(fn: () => unknown): void;
}

export const AGENT_HZ = 1000;
export const CUSTOMER_HZ = 1500;

/** A TonePhone stopped when the test ends. */
export async function phone(t: AfterHook, opts: TonePhoneOptions): Promise<TonePhone> {
  const p = await TonePhone.start(opts);
  t.after(() => p.stop());
  return p;
}

/** The two phones of a run: an agent sending 1000 Hz and a customer sending 1500 Hz. */
export async function agentAndCustomer(
  t: AfterHook,
  extra: Partial<TonePhoneOptions> = {},
  customerExtra: Partial<TonePhoneOptions> = {},
): Promise<{ agent: TonePhone; customer: TonePhone }> {
  const agent = await phone(t, { behaviour: 'answer', toneHz: AGENT_HZ, user: 'agent', ...extra });
  const customer = await phone(t, {
    behaviour: 'answer',
    toneHz: CUSTOMER_HZ,
    user: 'customer',
    ...extra,
    ...customerExtra,
  });
  return { agent, customer };
}

/**
 * Runs a PHLO (the example one by default) with `from` and `to` and waits
 * until both are connected; resolves with the call id.
 */
export async function connectedCall(
  srv: TestServer,
  from: string,
  to: string,
  node: NodeRef = srv,
): Promise<string> {
  const run = await srv.api('POST', `/v1/account/${srv.authId}/phlo/${node.phloId}`, { from, to });
  if (run.status !== 201) throw new Error(`run refused: ${run.status} ${run.text}`);
  const callId = String(run.json.call_id);
  await srv.waitCall(
    (c) => c.members.length === 2 && c.members.every((m) => m.state === 'connected'),
    'agent and customer connected',
    { callId, node },
  );
  return callId;
}

/** Creates a PHLO from a document (YAML text or an object); its id and its first node's. */
export async function createPhlo(
  srv: TestServer,
  document: string | Record<string, unknown>,
): Promise<NodeRef> {
  const res =
    typeof document === 'string'
      ? await srv.api('POST', '/v1/phlo', document, { 'content-type': 'application/yaml' })
      : await srv.api('POST', '/v1/phlo', document);
  if (res.status !== 201) throw new Error(`PHLO refused: ${res.status} ${res.text}`);
  const nodes = (res.json.document as { nodes: { id: string }[] }).nodes;
  return { phloId: String(res.json.phlo_id), nodeId: nodes[0].id };
}

/**
 * A PHLO whose one node (API-run: from/to templates, no sounds, no wait
 * music) POSTs every event of its calls to `callbackUrl`.
 */
export function callbackPhlo(name: string, callbackUrl: string): Record<string, unknown> {
  return {
    name,
    nodes: [
      {
        type: 'multi_party_call',
        name: 'support',
        from: '{{start.from}}',
        to: '{{start.to}}',
        enter_sound: 'none',
        exit_sound: 'none',
        wait_music: 'none',
        event_callback_url: callbackUrl,
      },
    ],
  };
}
