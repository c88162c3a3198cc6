/**
 * Shared by the SDK's tests: a real Partyline server (the repo's
 * test/support/partyline-server.ts) with a PhloClient for its account, and
 * waiting on a call's state through the SDK itself.
 */
import { PhloClient, type CallDetail, type CallMember, type MultiPartyCall } from '../src/index.js';
import {
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '../../../test/support/partyline-server.js';

export interface SdkServer {
  srv: TestServer;
  client: PhloClient;
  /** The example PHLO's node. */
  mpc: MultiPartyCall;
  /** Runs every cleanup, last first (phones, then the server). */
  stop(): Promise<void>;
  /** node:test's AfterHook shape, for phone(): stopped by stop(). */
  after(fn: () => unknown): void;
}

export async function sdkServer(opts: TestServerOptions = {}): Promise<SdkServer> {
  const srv = await startTestServer(opts);
  const cleanups: (() => unknown)[] = [() => srv.stop()];
  const client = new PhloClient(srv.authId, srv.authToken, { baseUrl: srv.baseUrl });
  return {
    srv,
    client,
    mpc: client.phlo(srv.phloId).multiPartyCall(srv.nodeId),
    after: (fn) => cleanups.push(fn),
    async stop() {
      for (const fn of cleanups.reverse()) await fn();
    },
  };
}

/** Polls `mpc.getCall(callId)` until `check` passes; fails with the last state. */
export async function until(
  mpc: MultiPartyCall,
  callId: string,
  check: (call: CallDetail) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<CallDetail> {
  const deadline = Date.now() + timeoutMs;
  let last: CallDetail | undefined;
  while (Date.now() < deadline) {
    last = await mpc.getCall(callId);
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last state:\n${JSON.stringify(last, null, 2)}`);
}

/** The latest member of a call with this (normalised) address. */
export function member(call: CallDetail, address: string): CallMember | undefined {
  return [...call.members].reverse().find((m) => m.address === address);
}

export function stateOf(call: CallDetail, address: string): string | undefined {
  return member(call, address)?.state;
}

export function hasEvent(call: CallDetail, type: string): boolean {
  return call.events.some((e) => e.type === type);
}
