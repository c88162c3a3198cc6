/**
 * Mouth-to-ear latency after a key press and after a network stall: does a
 * line come back to the delay it had? A scripted phone (a child process,
 * test/support/rtp-script-sender.ts) sends PCMU with a 1 kHz burst every
 * 300 ms to a member of a real room; the mix is timed where it arrives at
 * another member's socket, by Goertzel onset detection, on CLOCK_MONOTONIC
 * in both processes (test/support/latency-recovery.ts defines the figures).
 *
 * Each event runs `rounds` times (each a fresh room and a new schedule
 * phase); a round passes when the median latency from 2 s to 4 s after the
 * event is at most 10 ms above the median in the 2 s before it.
 *
 * Run alone: `node --import tsx bench/media/recovery.ts [--rounds 3]
 * [--merge bench/results/media.json]` — with --merge the figures are added
 * to that result file and nothing else in it changes (the capacity ladder
 * is not rerun).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  measureRecovery,
  type RecoveryEvent,
  type RecoveryResult,
} from '../../test/support/latency-recovery.js';
import { round } from './stats.js';

export interface LatencyRecoveryEvent {
  event: RecoveryEvent;
  event_ms: number;
  /** Medians over the rounds of each round's figure. */
  before_median_ms: number;
  first_2s_median_ms: number;
  after_2s_median_ms: number;
  excess_after_2s_ms: number;
  /** Worst over the rounds; null when a round never came back within 10 ms. */
  recovered_within_ms: number | null;
  /** Rounds whose after_2s median is at most 10 ms above their before median. */
  rounds_recovered: number;
  rounds: Omit<RecoveryResult, 'bursts'>[];
}

export interface LatencyRecoveryResult {
  jitter_target_ms: number;
  key_press: LatencyRecoveryEvent;
  stall: LatencyRecoveryEvent;
}

export const RECOVERY_DEFINITIONS: Record<string, string> = {
  latency_after_key_press_ms:
    'median over rounds of the median mouth-to-ear latency (1 kHz burst spoken by a scripted ' +
    'phone → first packet carrying it at another member of the room, Goertzel onset, ' +
    'CLOCK_MONOTONIC in both processes) of the bursts spoken 2–4 s after a 100 ms RFC 4733 ' +
    'key press sent in place of audio; compare latency_before_event_ms',
  latency_after_stall_ms:
    'the same after the network held the phone’s packets for 150 ms and delivered them at once',
  latency_before_event_ms:
    'median over both events’ rounds of the median latency of the bursts in the 2 s before the ' +
    'event: the no-event figure (includes the 40 ms jitter target, a tick and loopback both ways)',
  'latency_recovery.*.recovered_within_ms':
    'worst over the rounds of: time from the event to the first burst from which on the median ' +
    'of every three consecutive bursts is at most 10 ms above that round’s before-event median',
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function runEvent(
  event: RecoveryEvent,
  eventMs: number,
  rounds: number,
  jitterTargetMs: number,
  log: (line: string) => void,
): Promise<LatencyRecoveryEvent> {
  const results: Omit<RecoveryResult, 'bursts'>[] = [];
  for (let i = 0; i < rounds; i++) {
    const { bursts: _bursts, ...r } = await measureRecovery({ event, eventMs, jitterTargetMs });
    log(
      `${event} ${eventMs} ms, round ${i + 1}: before ${r.before_median_ms} ms, first 2 s ` +
        `${r.first_2s_median_ms} ms, 2–4 s after ${r.after_2s_median_ms} ms, back within ` +
        `${r.recovered_within_ms ?? 'never'} ms`,
    );
    results.push(r);
  }
  const pick = (k: 'before_median_ms' | 'first_2s_median_ms' | 'after_2s_median_ms') =>
    round(median(results.map((r) => r[k])), 2);
  const recovered = results.map((r) => r.recovered_within_ms);
  return {
    event,
    event_ms: eventMs,
    before_median_ms: pick('before_median_ms'),
    first_2s_median_ms: pick('first_2s_median_ms'),
    after_2s_median_ms: pick('after_2s_median_ms'),
    excess_after_2s_ms: round(median(results.map((r) => r.excess_after_2s_ms)), 2),
    recovered_within_ms: recovered.includes(null)
      ? null
      : Math.max(...recovered.map((x) => x ?? 0)),
    rounds_recovered: results.filter((r) => r.excess_after_2s_ms <= 10).length,
    rounds: results,
  };
}

export async function measureLatencyRecovery(
  opts: { rounds?: number; jitterTargetMs?: number; log?: (line: string) => void } = {},
): Promise<LatencyRecoveryResult> {
  const rounds = opts.rounds ?? 3;
  const target = opts.jitterTargetMs ?? 40;
  const log = opts.log ?? (() => {});
  return {
    jitter_target_ms: target,
    key_press: await runEvent('key-press', 100, rounds, target, log),
    stall: await runEvent('stall', 150, rounds, target, log),
  };
}

/** The headline fields the media result carries for it. */
export function recoverySummary(r: LatencyRecoveryResult): Record<string, number> {
  return {
    latency_before_event_ms: round(
      median([r.key_press.before_median_ms, r.stall.before_median_ms]),
      2,
    ),
    latency_after_key_press_ms: r.key_press.after_2s_median_ms,
    latency_after_stall_ms: r.stall.after_2s_median_ms,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string' }, merge: { type: 'string' } },
  });
  const result = await measureLatencyRecovery({
    rounds: values.rounds === undefined ? undefined : Number(values.rounds),
    log: (line) => console.log(`  ${line}`),
  });
  console.table([result.key_press, result.stall].map(({ rounds: _r, ...row }) => row));
  if (values.merge) {
    const doc = JSON.parse(await readFile(values.merge, 'utf8')) as Record<string, unknown>;
    const definitions = (doc.definitions ?? {}) as Record<string, string>;
    Object.assign(doc, recoverySummary(result), {
      latency_recovery: { date: new Date().toISOString(), ...result },
      definitions: { ...definitions, ...RECOVERY_DEFINITIONS },
    });
    await writeFile(values.merge, JSON.stringify(doc, null, 2) + '\n');
    console.log(`merged into ${values.merge}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
