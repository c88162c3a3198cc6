/**
 * SIPp answering calls for the API benchmark: one SIPp process in UAS mode
 * on 127.0.0.1 playing one of the scenarios in ./sipp, started in its own
 * process group (bench/cps/child.ts) so that stop() — by its group id —
 * also ends the RTP threads, and so that the harness kills it when it exits
 * or is interrupted. Every port it binds is chosen free: SIP (-p), media
 * (-mp), control (-cp); rtp_stream calls take ports from `rtpBase` upwards.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPortBound } from '../../test/support/ports.js';
import { spawnTracked, type TrackedChild } from '../cps/child.js';
import { freeUdpPortPair, freeUdpPorts } from '../cps/ports.js';

export const SCENARIO_DIR = new URL('./sipp/', import.meta.url).pathname;

export interface UasOptions {
  /** Scenario file in ./sipp. */
  scenario: 'uas-signalling.xml' | 'uas-tone.xml';
  /** Text replacements in the scenario ({{name}} → value, @TONE_WAV@ → path). */
  fill?: Record<string, string>;
  /** SIPp exits (and fails its calls) after this long; the benchmark stops it sooner. */
  timeoutSeconds: number;
  /** Lowest port of SIPp's rtp_stream sockets (-mp); default a free pair. */
  mediaPort?: number;
  /** Extra arguments. */
  args?: string[];
}

export interface RunningUas {
  readonly port: number;
  readonly pid: number;
  /** The -log_file of the scenario's <log> actions. */
  readonly logPath: string;
  readonly child: TrackedChild;
  /** The log read so far (whole file). */
  readLog(): string;
  stop(): Promise<void>;
}

const STARTUP_MS = 5_000;

export async function startUas(opts: UasOptions): Promise<RunningUas> {
  const dir = mkdtempSync(join(tmpdir(), 'partyline-bench-api-'));
  let text = readFileSync(join(SCENARIO_DIR, opts.scenario), 'latin1');
  for (const [key, value] of Object.entries(opts.fill ?? {})) {
    text = text.replaceAll(key.startsWith('@') ? key : `{{${key}}}`, value);
  }
  const unfilled = /\{\{(\w+)\}\}|@TONE_WAV@/.exec(text);
  if (unfilled) throw new Error(`${opts.scenario}: no value for ${unfilled[0]}`);
  const scenario = join(dir, opts.scenario);
  writeFileSync(scenario, text, 'latin1');
  const [port, controlPort] = await freeUdpPorts(2);
  const mediaPort = opts.mediaPort ?? (await freeUdpPortPair());
  const logPath = join(dir, 'log.txt');
  const child = spawnTracked(
    [
      'sipp',
      '-sf',
      scenario,
      '-i',
      '127.0.0.1',
      '-p',
      String(port),
      '-mi',
      '127.0.0.1',
      '-mp',
      String(mediaPort),
      '-ci',
      '127.0.0.1',
      '-cp',
      String(controlPort),
      '-t',
      'u1',
      '-buff_size',
      String(4 * 1024 * 1024),
      '-nostdin',
      '-timeout',
      `${opts.timeoutSeconds}s`,
      '-trace_err',
      '-error_file',
      join(dir, 'errors.log'),
      '-trace_logs',
      '-log_file',
      logPath,
      ...(opts.args ?? []),
    ],
    { cwd: dir },
  );
  const stop = async (): Promise<void> => {
    await child.stop(1000);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + STARTUP_MS;
  while (!isPortBound('udp', port)) {
    if (child.exitStatus() || Date.now() > deadline) {
      const why = child.exitStatus() ? 'exited' : `did not bind ${port} within ${STARTUP_MS} ms`;
      const tail = child.stderrTail();
      await stop();
      throw new Error(`SIPp (${opts.scenario}) ${why}: ${tail}`);
    }
    await sleep(20);
  }
  return {
    port,
    pid: child.pid,
    logPath,
    child,
    readLog: () => {
      try {
        return readFileSync(logPath, 'latin1');
      } catch {
        return '';
      }
    },
    stop,
  };
}

/**
 * A G.711 µ-law WAV (RIFF, WAVE_FORMAT_MULAW = 7, 8 kHz mono) of `seconds`
 * of a `hz` sine at −20 dBFS, for SIPp's rtp_stream. A whole number of
 * cycles and of 20 ms packets, so the loop has no click.
 */
export function writeToneWav(
  path: string,
  hz: number,
  seconds: number,
  encode: (s: Int16Array) => Uint8Array,
): void {
  const n = Math.round(seconds * 8000);
  const pcm = new Int16Array(n);
  const amp = 32767 * 10 ** (-20 / 20);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(amp * Math.sin((2 * Math.PI * hz * i) / 8000));
  const data = encode(pcm);
  const header = Buffer.alloc(46);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(38 + data.length, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(18, 16);
  header.writeUInt16LE(7, 20); // WAVE_FORMAT_MULAW
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28); // bytes per second
  header.writeUInt16LE(1, 32); // block align
  header.writeUInt16LE(8, 34); // bits per sample
  header.writeUInt16LE(0, 36); // cbSize
  header.write('data', 38, 'latin1');
  header.writeUInt32LE(data.length, 42);
  writeFileSync(path, Buffer.concat([header, Buffer.from(data)]));
}
