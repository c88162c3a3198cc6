/**
 * The server under flood, a process of its own: a real Partyline server
 * (bench/api/server.ts startBenchServer: production SIP timers, SQLite in a
 * temporary directory, HTTP rate limiting off) whose SIP caps and inbound
 * authentication the job sets, logging at `info` (the production default)
 * as JSON lines into `logFile`.
 *
 *   node --import tsx bench/flood/server-child.ts '<ServerJob as JSON>'
 *
 * It connects the job's calls through its own API (each an agent and a
 * customer phone, already listening), then prints
 * `READY <ServerReady as JSON>` and one `S <ServerSample as JSON>` line per
 * sample (every `sampleEveryMs`) until SIGTERM, when it stops the server
 * (hanging up the calls) and exits.
 */
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { connectedCall } from '../../test/support/partyline-server.js';
import { basicAuth } from '../api/harness.js';
import { startBenchServer } from '../api/server.js';
import { sampleServer } from './server-stats.js';

export interface ServerCaps {
  maxServerTransactions: number;
  maxDialogs: number;
  newRequestsPerSecondPerSource: number;
}

export interface ServerJob {
  /** [agent URI, customer URI] of each call to connect. */
  calls: [string, string][];
  caps: ServerCaps;
  /** Challenge every incoming INVITE (digest, RFC 3261 §22), as a server on the internet should. */
  inboundAuth: boolean;
  logFile: string;
  sampleEveryMs: number;
}

export interface ServerReady {
  sipPort: number;
  baseUrl: string;
  authorization: string;
  phloId: string;
  nodeId: string;
  callIds: string[];
  pid: number;
}

async function main(job: ServerJob): Promise<void> {
  // Written in 4 KiB blocks, flushed before the server stops (its stop may
  // outlast the harness's patience, and what is buffered must not be lost).
  const destination = pino.destination({ dest: job.logFile, sync: true, minLength: 4096 });
  const logger = pino({ level: 'info' }, destination);
  const srv = await startBenchServer({
    logger,
    configure: (c) => {
      Object.assign(c.sip, job.caps);
      if (job.inboundAuth) c.sip.inboundAuth = { realm: 'bench', users: { bench: 'not-used' } };
    },
  });
  const callIds: string[] = [];
  for (const [agent, customer] of job.calls)
    callIds.push(await connectedCall(srv, agent, customer));
  const udp = srv.server.sipBindings.find((b) => b.protocol === 'udp');
  if (!udp) throw new Error('the server has no UDP listener');
  const ready: ServerReady = {
    sipPort: udp.port,
    baseUrl: srv.baseUrl,
    authorization: basicAuth(srv),
    phloId: srv.phloId,
    nodeId: srv.nodeId,
    callIds,
    pid: process.pid,
  };
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`);
  const sampler = sampleServer(srv.server, job.sampleEveryMs, (s) =>
    process.stdout.write(`S ${JSON.stringify(s)}\n`),
  );
  const stop = (): void => {
    sampler.stop();
    destination.flushSync();
    void srv
      .stop()
      .then(() => destination.flushSync())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(JSON.parse(process.argv[2] ?? '') as ServerJob).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
