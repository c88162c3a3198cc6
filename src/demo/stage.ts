/**
 * Everything the demo runs, in this process: the call server (src/server)
 * on 127.0.0.1 with kernel-chosen HTTP and SIP ports, RTP from a random
 * range, SQLite in a temporary data directory; its first start creates the
 * account and the example PHLO (examples/support-line.yaml, with
 * `record: true` added so the demo has a mixed recording to write). Then
 * the three virtual phones, and an SDK client (@partyline/client) logged in
 * with the new account.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PhloClient } from '@partyline/client';
import type { Logger } from 'pino';
import { parseDocument } from 'yaml';
import { validateConfig } from '../config/index.js';
import { MixerClock, PortPool } from '../media/index.js';
import { EXAMPLE_PHLO, startServer, type RunningServer } from '../server/index.js';
import { startCast, type Cast, type Part, type VoiceMode } from './cast.js';

const HOST = '127.0.0.1';
/** RTP ports per range: the server's calls and the phones' (taken ports are skipped). */
const RANGE_PORTS = 200;

export interface Stage {
  server: RunningServer;
  cast: Cast;
  client: PhloClient;
  authId: string;
  authToken: string;
  phloId: string;
  nodeId: string;
  /** The SIP address the server listens on (host:port, UDP). */
  sip: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface StageOptions {
  voices: VoiceMode;
  silent: readonly Part[];
  logger: Logger;
}

export async function startStage(opts: StageOptions): Promise<Stage> {
  const dataDir = await mkdtemp(join(tmpdir(), 'partyline-demo-'));
  const undo: (() => Promise<void>)[] = [() => rm(dataDir, { recursive: true, force: true })];
  const unwind = async (): Promise<void> => {
    for (const step of undo.reverse()) await step().catch(() => undefined);
  };
  try {
    const examplePath = join(dataDir, 'support-line.yaml');
    await writeFile(examplePath, await recordedExample());
    const [serverRange, phoneRange] = mediaRanges();
    const config = validateConfig({
      logLevel: opts.logger.level,
      sip: { address: HOST, port: 0, transports: ['udp'] },
      http: { host: HOST, port: 0 },
      media: serverRange,
      dataDir,
    });
    const server = await startServer({
      config,
      logger: opts.logger,
      examplePath,
      print: () => undefined,
    });
    undo.push(() => server.stop());
    const first = server.firstStart;
    if (!first) throw new Error(`the data directory ${dataDir} was not empty`);
    const clock = new MixerClock({ logger: opts.logger });
    undo.push(async () => clock.close());
    const pool = new PortPool({
      minPort: phoneRange.portMin,
      maxPort: phoneRange.portMax,
      bindAddress: HOST,
    });
    const cast = await startCast({
      mode: opts.voices,
      pool,
      clock,
      logger: opts.logger,
      silent: opts.silent,
    });
    undo.push(() => cast.close());
    const sip = server.sipBindings.find((b) => b.protocol === 'udp') ?? server.sipBindings[0];
    return {
      server,
      cast,
      client: new PhloClient(first.authId, first.authToken, { baseUrl: server.baseUrl }),
      ...first,
      sip: `${sip.address}:${sip.port}`,
      dataDir,
      stop: unwind,
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}

/** The example PHLO as shipped, with `record: true` on its node (comments kept). */
async function recordedExample(): Promise<string> {
  const doc = parseDocument(await readFile(EXAMPLE_PHLO, 'utf8'));
  doc.setIn(['nodes', 0, 'record'], true);
  return doc.toString();
}

/** Two neighbouring ranges from a random even base, so two demos at once rarely meet. */
function mediaRanges(): { portMin: number; portMax: number }[] {
  const base = 20000 + 2 * Math.floor(Math.random() * 10000);
  return [
    { portMin: base, portMax: base + RANGE_PORTS - 1 },
    { portMin: base + RANGE_PORTS, portMax: base + 2 * RANGE_PORTS - 1 },
  ];
}
