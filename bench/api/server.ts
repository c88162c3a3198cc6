/**
 * The server under test and what the API benchmark does to it before
 * measuring: a real Partyline server in this process (startTestServer:
 * HTTP API on 127.0.0.1, SIP over UDP, media, SQLite in a temporary
 * directory, rate limiting off), with production SIP timers (RFC 3261
 * T1 500 ms, not the tests' 100 ms) and an RTP range wide enough for every
 * step; PHLOs created through the API; runs started and waited for.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '../../test/support/partyline-server.js';
import type { RtpStreamStats } from '../../src/media/index.js';

/** RTP/RTCP pairs of the server: below the kernel's ephemeral range (32768+) and the tests' (30000+). */
export const SERVER_RTP_RANGE = { portMin: 20000, portMax: 29999 } as const;

/** `more`: a logger, and changes to the configuration made after the benchmark's own. */
export async function startBenchServer(
  more: Pick<TestServerOptions, 'configure' | 'logger'> = {},
): Promise<TestServer> {
  return startTestServer({
    logger: more.logger,
    configure: (c) => {
      c.media.portMin = SERVER_RTP_RANGE.portMin;
      c.media.portMax = SERVER_RTP_RANGE.portMax;
      c.sip.timers = { T1: 500, T2: 4000, T4: 5000 };
      c.http.rateLimitPerSecond = 0;
      // The capacity steps go past 100 calls: the benchmark measures the server, not an account's quota.
      c.limits.liveCallsPerAccount = 100_000;
      more.configure?.(c);
    },
  });
}

export interface BenchPhlo {
  phloId: string;
  nodeId: string;
}

/** A one-node PHLO (agent = run's from, customer = run's to) created with POST /v1/phlo. */
export async function createPhlo(srv: TestServer, maxParticipants: number): Promise<BenchPhlo> {
  return createNodePhlo(srv, `API benchmark (max ${maxParticipants})`, {
    name: 'bench',
    max_participants: maxParticipants,
  });
}

/**
 * A PHLO `name` of one multi_party_call node (agent = run's from, customer
 * = run's to) with the fields of `node` (its name among them), created with
 * POST /v1/phlo.
 */
export async function createNodePhlo(
  srv: TestServer,
  name: string,
  node: { name: string } & Record<string, unknown>,
): Promise<BenchPhlo> {
  const { name: nodeName, ...rest } = node;
  const res = await srv.api('POST', '/v1/phlo', {
    name,
    nodes: [
      {
        type: 'multi_party_call',
        name: nodeName,
        from: '{{start.from}}',
        to: '{{start.to}}',
        ...rest,
      },
    ],
  });
  const doc = res.json.document as { nodes?: { id?: string }[] } | undefined;
  const nodeId = doc?.nodes?.[0]?.id;
  if (res.status !== 201 || typeof res.json.phlo_id !== 'string' || !nodeId) {
    throw new Error(`POST /v1/phlo: ${res.status} ${res.text}`);
  }
  return { phloId: res.json.phlo_id, nodeId };
}

/** POST /v1/account/{auth_id}/phlo/{phlo_id}: a run dialling `from` (agent), then `to` (customer). */
export async function startRun(
  srv: TestServer,
  phloId: string,
  from: string,
  to: string,
): Promise<void> {
  const res = await srv.api('POST', `/v1/account/${srv.authId}/phlo/${phloId}`, { from, to });
  if (res.status !== 201) throw new Error(`run ${from} → ${to}: ${res.status} ${res.text}`);
}

/** The `call` action: dial `to` into the call where `trigger` is a connected agent. */
export async function callAction(
  srv: TestServer,
  phlo: BenchPhlo,
  to: string,
  trigger: string,
  role = 'customer',
): Promise<void> {
  const res = await srv.api('POST', `/v1/phlo/${phlo.phloId}/multi_party_call/${phlo.nodeId}`, {
    action: 'call',
    to,
    role,
    trigger_source: trigger,
  });
  if (res.status !== 201) throw new Error(`call ${to}: ${res.status} ${res.text}`);
}

/** Members of live calls in each state (the server's own count, as /metrics has it). */
export function memberStates(srv: TestServer): Record<string, number> {
  return srv.server.mpc.stats().membersByState;
}

/** Polls `check` every 20 ms for at most `timeoutMs`; false when it never held. */
export async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
}

/** Runs `tasks` with at most `width` in flight; rejects with the first error. */
export async function inParallel(width: number, tasks: (() => Promise<void>)[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
}

/** The RTP statistics of every live leg (the LegHandle's stats() is the stream's, RtpStreamStats). */
export function legStats(srv: Pick<TestServer, 'server'>): RtpStreamStats[] {
  const out: RtpStreamStats[] = [];
  for (const leg of srv.server.mpc.liveLegs()) {
    const s = leg.stats() as RtpStreamStats | null;
    if (s) out.push(s);
  }
  return out;
}

// Kept here for the API benchmark's modules; it lives with the other CPU readings.
export { procCpuMs } from '../media/machine.js';
