/**
 * Shared pieces of the engine's end-to-end tests: an Engine on 127.0.0.1
 * (UDP, short RFC timers, its own RTP port range, a temporary audio cache),
 * phones and SIPp callers (scenarios/*.xml, templates whose {{blanks}}
 * are filled into a temporary copy) killed by pid from t.after(), and
 * waiting for a leg's events with a deadline that only turns "never" into
 * a failure.
 */
import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import {
  Engine,
  type EngineOptions,
  type IncomingLeg,
  type Leg,
  type LegEvents,
} from '../../src/engine/index.js';
import { ManualClock } from '../support/manual-clock.js';
import { TonePhone, type TonePhoneOptions } from '../support/phones/index.js';
import { SipPeer } from '../support/sipp.js';

export const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

/** T1 = 100 ms, as test/support/partyline-server.ts: retransmissions and 64·T1 stay short. */
export const FAST_TIMERS = { T1: 100, T2: 400, T4: 500 };

export interface EngineTweaks {
  ringTimeoutMs?: number;
  /** No RTP nor RTCP this long ends a connected leg (0 = never). */
  inactivityTimeoutMs?: number;
  /** The same while the leg is on hold. */
  holdTimeoutMs?: number;
  /** The engine's clock (SIP timers, RTP streams, mixer), moved on by the test; default the system's. */
  clock?: ManualClock;
}

/** An Engine on 127.0.0.1 (UDP, kernel-chosen port), closed and its cache removed in t.after(). */
export async function startEngine(t: TestContext, tweaks: EngineTweaks = {}): Promise<Engine> {
  const audioCacheDir = mkdtempSync(join(tmpdir(), 'partyline-engine-'));
  const base = 30000 + 2 * Math.floor(Math.random() * 9000);
  const opts: EngineOptions = {
    sip: {
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
      timers: FAST_TIMERS,
      ringTimeoutMs: tweaks.ringTimeoutMs ?? 10_000,
    },
    media: {
      address: '127.0.0.1',
      portMin: base,
      portMax: base + 199,
      inactivityTimeoutMs: tweaks.inactivityTimeoutMs,
      holdTimeoutMs: tweaks.holdTimeoutMs,
    },
    ...(tweaks.clock ? { clock: tweaks.clock } : {}),
    audioCacheDir,
    logger: pino({ level: process.env.PARTYLINE_TEST_LOG ?? 'silent' }),
  };
  const engine = await Engine.start(opts);
  t.after(async () => {
    // On a manual clock the shutdown's waits (BYE retransmissions, grace period) need time moved on.
    const clock = tweaks.clock;
    const ticking = clock ? setInterval(() => clock.advance(100), 5) : undefined;
    await engine.close().finally(() => clearInterval(ticking));
    rmSync(audioCacheDir, { recursive: true, force: true });
  });
  return engine;
}

/** The engine's UDP SIP port on 127.0.0.1. */
export function sipPort(engine: Engine): number {
  const binding = engine.bindings().find((b) => b.protocol === 'udp' && b.family === 4);
  if (!binding) throw new Error('the engine has no UDP listener');
  return binding.port;
}

/** A TonePhone stopped (SIPp killed by pid) in t.after(). */
export async function phone(t: TestContext, opts: TonePhoneOptions): Promise<TonePhone> {
  const p = await TonePhone.start(opts);
  t.after(() => p.stop());
  return p;
}

type EventName = keyof LegEvents;

/**
 * Resolves with the payload of the leg's next `event` (first argument, or
 * undefined); rejects after `timeoutMs`, or at once if one of `failOn`
 * comes first (with its payload in the message).
 */
export function nextEvent<K extends EventName>(
  leg: Leg,
  event: K,
  opts: { timeoutMs?: number; failOn?: EventName[] } = {},
): Promise<LegEvents[K][0]> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const failOn = opts.failOn ?? [];
  return new Promise((resolve, reject) => {
    const listeners = new Map<EventName, (...args: unknown[]) => void>();
    const cleanup = (): void => {
      clearTimeout(timer);
      for (const [name, fn] of listeners) leg.off(name, fn as never);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(`leg ${leg.address}: no '${event}' within ${timeoutMs} ms (state ${leg.state})`),
      );
    }, timeoutMs);
    const onEvent = (...args: unknown[]): void => {
      cleanup();
      resolve(args[0] as LegEvents[K][0]);
    };
    listeners.set(event, onEvent);
    for (const name of failOn) {
      listeners.set(name, (...args: unknown[]) => {
        cleanup();
        reject(
          new Error(`leg ${leg.address}: '${name}' ${JSON.stringify(args[0])} before '${event}'`),
        );
      });
    }
    for (const [name, fn] of listeners) leg.on(name, fn as never);
  });
}

/** Records every event of a leg in order (names only), for asserting sequences. */
export function recordEvents(leg: Leg): EventName[] {
  const seen: EventName[] = [];
  const names: EventName[] = [
    'ringing',
    'early-media',
    'answered',
    'failed',
    'ended',
    'remote-hold',
    'remote-resume',
    'media-timeout',
  ];
  for (const name of names) leg.on(name, () => seen.push(name));
  return seen;
}

/** Polls `check` until true; rejects after `timeoutMs` with `what`. */
export async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() >= deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A temporary directory, removed in t.after(). */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'partyline-engine-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes scenarios/`name` into `dir` with its {{blanks}} filled; returns the copy's path. */
export function renderScenario(
  dir: string,
  name: string,
  values: Record<string, string | number>,
): string {
  const text = readFileSync(join(SCENARIOS, name), 'latin1').replace(
    /\{\{(\w+)\}\}/g,
    (_, key: string) => {
      const value = values[key];
      if (value === undefined) throw new Error(`scenario ${name} needs a value for {{${key}}}`);
      return String(value);
    },
  );
  const path = join(dir, name);
  writeFileSync(path, text, 'latin1');
  return path;
}

/** SIPp calling the engine (sip:partyline@127.0.0.1:PORT), killed by pid in t.after. */
export async function sippCalling(
  t: TestContext,
  engine: Engine,
  scenario: string,
): Promise<SipPeer> {
  const sipp = await SipPeer.start({
    scenario,
    remote: `127.0.0.1:${sipPort(engine)}`,
    service: 'partyline',
    timeoutSeconds: 15,
  });
  t.after(() => sipp.stop());
  return sipp;
}

/** The engine's next incoming leg. */
export function nextIncoming(engine: Engine, timeoutMs = 5_000): Promise<IncomingLeg> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      engine.off('incoming', onLeg);
      reject(new Error(`no incoming call within ${timeoutMs} ms`));
    }, timeoutMs);
    const onLeg = (leg: IncomingLeg): void => {
      clearTimeout(timer);
      engine.off('incoming', onLeg);
      resolve(leg);
    };
    engine.on('incoming', onLeg);
  });
}

/**
 * An ended leg has let go of its SIP call: no listener of its own is left
 * on the session, whose INVITE transaction lingers 32 s (Timer D / M) and
 * would otherwise keep the leg, its stream and sockets reachable that long.
 * (The user agent's own `once('failed')` may remain: it forgets the call.)
 */
export function assertLetGo(leg: Leg): void {
  const session = (leg as unknown as { session: EventEmitter | null }).session;
  assert.ok(session, 'the leg had a session');
  for (const event of ['progress', 'answered', 'ended', 'reinvited', 'remote-answer'])
    assert.equal(session.listenerCount(event), 0, `a listener on '${event}' is left`);
  assert.ok(session.listenerCount('failed') <= 1, "the leg's 'failed' listener is left");
}
