/**
 * `partyline demo`, start to end: the stage (server, phones, SDK client),
 * the script with its live timeline and hearing checks, the recording and
 * the summary in the output directory, and the verdict — exit status 0 only
 * when every phone heard what it should and the recording holds every voice.
 */
import { resolve } from 'node:path';
import { pino } from 'pino';
import type { Part, VoiceMode } from './cast.js';
import { PARTS } from './cast.js';
import { keepRunning } from './keep.js';
import { describeFailure } from './listen.js';
import { saveRecording, summarise, writeSummary, type Summary } from './report.js';
import { runScript } from './script.js';
import { startStage } from './stage.js';

export interface DemoOptions {
  out: string;
  keep: boolean;
  voices: VoiceMode;
  silent: Part[];
  /** The server's and phones' log level (logs go to stderr); default silent. */
  logLevel: string;
}

export async function runDemo(
  opts: DemoOptions,
  print: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  const startedAt = new Date();
  const logger = pino({ level: opts.logLevel }, pino.destination(2));
  print('Partyline demo: a call server, three virtual phones, one call.');
  const stage = await startStage({ voices: opts.voices, silent: opts.silent, logger });
  let stopped = false;
  const interrupt = (): void => {
    if (stopped) return;
    stopped = true;
    print('\nInterrupted: stopping.');
    void stage.stop().then(() => process.exit(130));
  };
  // Until --keep waits for its own Ctrl-C, a Ctrl-C stops everything (and removes the data).
  process.once('SIGINT', interrupt);
  try {
    print('');
    print(`  server     ${stage.server.baseUrl}  (SIP udp ${stage.sip}, data in ${stage.dataDir})`);
    print(`  account    ${stage.authId}`);
    print(`  PHLO       ${stage.phloId}  (examples/support-line.yaml, record: true)`);
    for (const p of PARTS) {
      const phone = stage.cast.phones[p];
      const muted = opts.silent.includes(p) ? '  [--silent: sends nothing]' : '';
      print(`  ${p.padEnd(10)} ${phone.uri.padEnd(32)} ${phone.voice.description}${muted}`);
    }
    const script = await runScript(stage, (l) => print(l.startsWith('▶') || !l ? l : `  ${l}`));
    const out = resolve(opts.out);
    const recording = await saveRecording(script.timeline?.call ?? null, out);
    const summary = summarise({
      script,
      cast: stage.cast,
      recording,
      startedAt,
      baseUrl: stage.server.baseUrl,
      sip: stage.sip,
      phloId: stage.phloId,
      nodeId: stage.nodeId,
    });
    const file = await writeSummary(summary, out);
    print('');
    printMembers(summary, print);
    if (recording)
      print(
        `  recording  ${recording.file} (${(recording.durationMs / 1000).toFixed(1)} s; ` +
          PARTS.map((p) => `${p} ${recording.levelsDb[p].toFixed(1)} dB`).join(', ') +
          ')',
      );
    print(`  summary    ${file}`);
    print('');
    print(verdict(summary));
    if (opts.keep) {
      process.removeListener('SIGINT', interrupt);
      await keepRunning(stage, print);
    }
    return summary.ok ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', interrupt);
    if (!stopped) {
      stopped = true;
      await stage.stop();
    }
  }
}

function printMembers(summary: Summary, print: (line: string) => void): void {
  print('Members:');
  for (const m of summary.members) {
    const states = m.states.map((s) => s.state).join(' → ');
    const time = m.inCallMs === null ? '' : `  ${(m.inCallMs / 1000).toFixed(1)} s in the call`;
    print(`  ${(m.part ?? m.role).padEnd(9)} ${m.role.padEnd(9)} ${states}${time}`);
  }
}

/** The last line: what passed, or exactly what did not. */
function verdict(summary: Summary): string {
  const seconds = (summary.durationMs / 1000).toFixed(1);
  if (summary.ok)
    return `✓ Every phone heard what it should (${summary.steps.length} steps, ${seconds} s).`;
  const problems: string[] = [];
  for (const s of summary.steps) {
    const before = problems.length;
    for (const [part, rows] of Object.entries(s.hearing?.phones ?? {}))
      for (const m of rows ?? [])
        if (!m.ok) problems.push(`step ${s.step}: the ${part} ${describeFailure(m)}`);
    if (problems.length === before && s.error) problems.push(s.error);
  }
  if (problems.length === 0 && summary.error) problems.push(summary.error);
  return `✗ Demo FAILED (${seconds} s): ${problems.join('; ')}`;
}
