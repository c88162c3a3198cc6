/**
 * `partyline demo` as a user runs it: a child process (src/main.ts through
 * tsx), its exit status, its output, and what it leaves in --out — the
 * summary (every step's hearing checks, the members' states) and a mixed
 * recording whose tones we measure ourselves. A phone made silent must make
 * it fail with status 1 and say who did not hear whom; `--keep` must leave a
 * live call a person can reach over the API, and stop cleanly on SIGINT.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import { SAMPLE_RATE, decodeWavFile, toneLevelDb } from '../../src/media/audio/index.js';
import { HEARD_DB } from '../support/phones/index.js';
import { stopChild } from '../support/stop-child.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** Far above the ~10 s it takes on an idle machine: CI shares its cores. */
const DEMO_TIMEOUT_MS = 150_000;
const VOICE_HZ = { agent: 1200, customer: 1600, third: 2000 } as const;
const ESPEAK = spawnSync('espeak-ng', ['--version']).status === 0;

interface Demo {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Running {
  /** Resolves once stdout matches. */
  output(pattern: RegExp): Promise<string>;
  /** Sends a signal to the demo (by its pid). */
  signal(name: NodeJS.Signals): void;
  done: Promise<Demo>;
}

function startDemo(t: TestContext, args: string[]): Running {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(ROOT, 'src', 'main.ts'), 'demo', ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
    for (const w of [...waiters]) w();
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const done = new Promise<Demo>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), DEMO_TIMEOUT_MS);
  t.after(async () => {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) await stopChild(child, done, 5_000);
  });
  return {
    done,
    signal: (name) => child.kill(name),
    output: (pattern) =>
      new Promise((resolve, reject) => {
        const probe = (): void => {
          const m = pattern.exec(stdout);
          if (m) {
            waiters.delete(probe);
            resolve(m[0]);
          }
        };
        waiters.add(probe);
        void done.then(() => {
          if (waiters.delete(probe))
            reject(new Error(`demo exited before printing ${pattern}:\n${stdout}\n${stderr}`));
        });
        probe();
      }),
  };
}

function outDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'partyline-demo-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Summary {
  ok: boolean;
  error: string | null;
  voices: string;
  callId: string;
  phones: Record<string, { uri: string; hz: number }>;
  members: { part: string; role: string; states: { state: string }[]; inCallMs: number }[];
  steps: {
    step: number;
    ok: boolean;
    hearing: {
      ok: boolean;
      phones: Record<string, { sound: string; expected: string; levelDb: number; ok: boolean }[]>;
    } | null;
  }[];
  recording: { file: string; bytes: number; durationMs: number; levelsDb: Record<string, number> };
}

function readSummary(dir: string): Summary {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
}

test('partyline demo: every phone hears what it should, and the output says so', async (t) => {
  const out = outDir(t);
  const started = Date.now();
  const demo = await startDemo(t, ['--out', out]).done;
  const took = Date.now() - started;
  t.diagnostic(`partyline demo took ${(took / 1000).toFixed(1)} s end to end`);
  assert.equal(demo.code, 0, `${demo.stdout}\n${demo.stderr}`);
  assert.match(demo.stdout, /✓ Every phone heard what it should \(8 steps/);
  // The timeline: one line per member state change, stamped with the server's time.
  for (const line of [
    /^ {2}\d\d:\d\d:\d\d\.\d{3} {2}agent {5}ringing {6}sip:agent@127\.0\.0\.1:\d+$/m,
    /^ {2}\d\d:\d\d:\d\d\.\d{3} {2}customer {2}on_hold {6}sip:customer@/m,
    /^ {2}\d\d:\d\d:\d\d\.\d{3} {2}— {9}transfer\.completed$/m,
  ])
    assert.match(demo.stdout, line);

  const summary = readSummary(out);
  assert.equal(summary.ok, true, summary.error ?? '');
  assert.equal(summary.voices, ESPEAK ? 'speech' : 'tone');
  assert.deepEqual(
    summary.steps.map((s) => [s.step, s.ok]),
    [1, 2, 3, 4, 5, 6, 7, 8].map((n) => [n, true]),
  );
  // What each phone heard, as the summary measured it: a few rows that carry the story.
  const row = (step: number, part: string, sound: string) =>
    summary.steps[step - 1].hearing?.phones[part]?.find((r) => r.sound === sound);
  assert.equal(row(2, 'third', 'the customer')?.expected, 'heard');
  assert.equal(row(4, 'customer', 'customer hold music')?.expected, 'heard');
  assert.equal(row(4, 'customer', 'the agent')?.expected, 'not heard');
  assert.equal(row(6, 'agent', 'the customer')?.expected, 'not heard');
  assert.equal(row(7, 'customer', 'the third user')?.expected, 'heard');
  for (const s of summary.steps)
    for (const rows of Object.values(s.hearing?.phones ?? {}))
      for (const r of rows)
        assert.ok(
          r.expected === 'heard' ? r.levelDb >= HEARD_DB : r.levelDb < HEARD_DB - 10,
          `step ${s.step}: ${JSON.stringify(r)}`,
        );
  // Members and their states: the third user joins twice (the call, then the transfer).
  const states = (part: string) =>
    summary.members.filter((m) => m.part === part).map((m) => m.states.map((s) => s.state));
  assert.deepEqual(states('agent'), [['dialing', 'ringing', 'connected', 'disconnected']]);
  assert.deepEqual(states('customer'), [
    [
      'dialing',
      'ringing',
      'connected',
      'on_hold',
      'connected',
      'on_hold',
      'connected',
      'disconnected',
    ],
  ]);
  assert.equal(states('third').length, 2);
  for (const m of summary.members) assert.ok(m.inCallMs > 0, JSON.stringify(m));

  // The recording: a real mixed WAV with every voice in it, measured here, not taken on trust.
  const wav = join(out, 'recording.wav');
  assert.equal(summary.recording.file, wav);
  assert.equal(statSync(wav).size, summary.recording.bytes);
  const audio = await decodeWavFile(wav);
  assert.ok(audio.durationMs > 3_000, `recording of ${audio.durationMs} ms`);
  for (const [part, hz] of Object.entries(VOICE_HZ)) {
    let loudest = -200;
    for (let at = 0; at + SAMPLE_RATE <= audio.samples.length; at += SAMPLE_RATE)
      loudest = Math.max(
        loudest,
        toneLevelDb(audio.samples.subarray(at, at + SAMPLE_RATE), SAMPLE_RATE, hz),
      );
    assert.ok(loudest >= HEARD_DB, `${part} (${hz} Hz) in the recording: ${loudest} dB`);
  }
});

test('partyline demo: a silent phone makes it fail, with status 1 and who did not hear whom', async (t) => {
  const out = outDir(t);
  const demo = await startDemo(t, ['--out', out, '--voices', 'tones', '--silent', 'customer']).done;
  assert.equal(demo.code, 1, `${demo.stdout}\n${demo.stderr}`);
  assert.match(
    demo.stdout,
    /✗ Demo FAILED .*step 1: the agent does not hear the customer \(1600 Hz: nothing/,
  );
  const summary = readSummary(out);
  assert.equal(summary.ok, false);
  assert.equal(summary.voices, 'tone');
  const first = summary.steps[0];
  assert.equal(first.ok, false);
  assert.equal(first.hearing?.phones.agent.find((r) => r.sound === 'the customer')?.ok, false);
  // The customer still hears the agent: only what the silent phone sends is missing.
  assert.equal(
    first.hearing?.phones.customer.every((r) => r.ok),
    true,
  );
});

test('partyline demo --keep: a live call to try, over the API; SIGINT stops it cleanly', async (t) => {
  const out = outDir(t);
  const demo = startDemo(t, ['--out', out, '--voices', 'tones', '--keep']);
  await demo.output(/baresip -e '\/dial sip:demo@127\.0\.0\.1:\d+'/);
  const printed = await demo.output(/[^]*/);
  const field = (name: string): string => {
    const m = new RegExp(`^ {2}${name} +(\\S+)`, 'm').exec(printed);
    assert.ok(m, `no ${name} in:\n${printed}`);
    return m[1];
  };
  const base = field('Base URL');
  const auth = Buffer.from(`${field('AUTH_ID')}:${field('AUTH_TOKEN')}`).toString('base64');
  assert.match(printed, new RegExp(`Console {5}${base}/console`));
  const callId = /A new call is live \(call ([0-9a-f-]+)\)/.exec(printed)?.[1];
  assert.ok(callId, printed);
  const url = `${base}/v1/phlo/${field('PHLO id')}/multi_party_call/${field('Node id')}/calls/${callId}`;
  const deadline = Date.now() + 30_000;
  let states: string[] = [];
  while (Date.now() < deadline) {
    const res = await fetch(url, { headers: { authorization: `Basic ${auth}` } });
    assert.equal(res.status, 200);
    const call = (await res.json()) as { members: { role: string; state: string }[] };
    states = call.members.map((m) => `${m.role}:${m.state}`);
    if (states.join() === 'agent:connected,customer:connected') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(states, ['agent:connected', 'customer:connected']);
  // The printed hold line works as printed (the member's address URL-encoded in the path).
  const hold = /-d '\{"action":"hold"\}' (\S+)/.exec(printed)?.[1];
  assert.ok(hold, printed);
  const held = await fetch(hold, {
    method: 'POST',
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    body: '{"action":"hold"}',
  });
  assert.equal(held.status, 201, await held.text());
  demo.signal('SIGINT');
  const ended = await demo.done;
  assert.equal(ended.code, 0, `${ended.stdout}\n${ended.stderr}`);
  assert.match(ended.stdout, /Stopping: hanging up the live calls/);
  await assert.rejects(fetch(url), 'the server is gone');
});
