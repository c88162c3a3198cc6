/**
 * `partyline serve`: the HTTP API (Fastify), SIP and media in one process,
 * on an embedded SQLite store under dataDir. Start-up order: store (and
 * reconciliation of calls a dead process left live), engine, API; stop in
 * reverse: no new requests, live calls ended and their legs hung up, engine
 * closed, store closed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { TokenVerifier } from '../account/index.js';
import { CallbackDispatcher, callbackDeliveries } from '../callbacks/index.js';
import { buildApi } from '../api/index.js';
import { consoleAssets } from '../console/index.js';
import { userAgentOptions, type Config } from '../config/index.js';
import { Engine, type Conference } from '../engine/index.js';
import { MpcService, isoNow, type CallEngine, type IncomingLegHandle } from '../mpc/index.js';
import { openStore, type Store } from '../store/index.js';
import { firstStart, firstStartBanner, type FirstStart } from './first-start.js';
import { createMetrics } from './metrics.js';
import { PartylineService } from './partyline-service.js';

export interface ServerOptions {
  config: Config;
  logger: Logger;
  /** The PHLO created on first start (default: examples/support-line.yaml of this package). */
  examplePath?: string;
  /** Where the first-start banner goes (default: stdout). */
  print?: (text: string) => void;
}

export interface RunningServer {
  /** http://host:port the API listens on. */
  baseUrl: string;
  httpPort: number;
  sipBindings: ReturnType<Engine['bindings']>;
  store: Store;
  engine: Engine;
  mpc: MpcService;
  /** Set on the start that created the first account. */
  firstStart: FirstStart | null;
  stop(): Promise<void>;
}

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXAMPLE_PHLO = join(PACKAGE_ROOT, 'examples', 'support-line.yaml');

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { config, logger } = opts;
  const dataDir = resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });
  const store = await openStore({ dataDir, logger });
  let engine: Engine | null = null;
  let dispatcher: CallbackDispatcher | null = null;
  try {
    let ready = false;
    let mpc: MpcService | null = null;
    const metrics = createMetrics(() =>
      mpc && engine
        ? { mpc: () => mpc!.stats(), legs: () => mpc!.liveLegs(), engine: () => engine!.stats() }
        : null,
    );
    engine = await Engine.start({
      sip: userAgentOptions(config.sip),
      media: {
        address: config.media.address ?? config.sip.address,
        portMin: config.media.portMin,
        portMax: config.media.portMax,
        inactivityTimeoutMs: config.media.inactivityTimeoutMs,
        holdTimeoutMs: config.media.holdTimeoutMs,
      },
      audioCacheDir: join(dataDir, 'audio-cache'),
      allowPrivateAudioUrls: config.media.allowPrivateAudioUrls,
      logger,
    });
    const theEngine = engine;
    const callEngine: CallEngine = {
      checkAddress: (address) => theEngine.checkAddress(address),
      createConference: (id) => theEngine.createConference(id),
      // The conferences handed to mpc are the engine's own.
      dial: (address, conference, options) =>
        theEngine.dial(address, conference as Conference, options),
    };
    const recordingsDir = join(dataDir, 'recordings');
    await mkdir(recordingsDir, { recursive: true });
    const theDispatcher = new CallbackDispatcher({ store, logger });
    dispatcher = theDispatcher;
    mpc = new MpcService({
      store,
      engine: callEngine,
      logger,
      observer: metrics.observer,
      recordingsDir,
      maxLiveCallsPerAccount: config.limits.liveCallsPerAccount,
      // A node with event_callback_url: each event's signed delivery is committed with it.
      decorate: (call, callbackUrl, changes, member) => {
        const events = changes.events ?? [];
        if (!callbackUrl || events.length === 0) return;
        const members = new Map((changes.members ?? []).map((m) => [m.memberId, m]));
        changes.deliveries = callbackDeliveries({
          url: callbackUrl,
          call,
          events,
          member: (id) => members.get(id) ?? member(id),
          createdOn: events[0]!.at,
        });
      },
      committed: (changes) => {
        if (changes.deliveries?.length) theDispatcher.wake();
      },
    });
    theDispatcher.start();
    const stale = await mpc.reconcile();
    if (stale > 0)
      logger.warn(
        { calls: stale },
        'ended calls left live by the previous process (server-restart)',
      );

    const service = new PartylineService({
      store,
      mpc,
      verifier: new TokenVerifier(),
      now: isoNow,
      defaultHoldMusic: defaultHoldMusic(),
      ready: () => ready,
      logger,
    });
    await service.loadIncomingIndex();
    // As with dial: the conference mpc answers the leg into is one the engine made.
    engine.on('incoming', (leg) => void service.incoming(leg as unknown as IncomingLegHandle));
    const api = await buildApi({
      service,
      logger,
      metrics: metrics.registry,
      bodyLimitBytes: config.http.bodyLimitBytes,
      console: consoleAssets(),
      rateLimit:
        config.http.rateLimitPerSecond > 0
          ? { perSecond: config.http.rateLimitPerSecond, burst: config.http.rateLimitBurst }
          : undefined,
    });
    await api.listen({ host: config.http.host, port: config.http.port });
    const address = api.server.address();
    const httpPort = typeof address === 'object' && address ? address.port : config.http.port;
    const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
    const baseUrl = `http://${host}:${httpPort}`;

    const first = await firstStart(store, service, isoNow, opts.examplePath ?? EXAMPLE_PHLO);
    if (first)
      (opts.print ?? ((t: string) => process.stdout.write(`${t}\n`)))(
        firstStartBanner(first, baseUrl),
      );
    ready = true;
    logger.info({ url: baseUrl, sip: theEngine.bindings() }, 'Partyline call server ready');

    let stopping: Promise<void> | null = null;
    const liveMpc = mpc;
    return {
      baseUrl,
      httpPort,
      sipBindings: theEngine.bindings(),
      store,
      engine: theEngine,
      mpc: liveMpc,
      firstStart: first,
      stop() {
        stopping ??= (async () => {
          ready = false;
          // No new requests; those in flight finish first.
          await api.close();
          await liveMpc.shutdown();
          await theEngine.close();
          // Deliveries not sent yet stay in the outbox for the next start.
          await theDispatcher.stop();
          await store.close();
          logger.info('Partyline call server stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await dispatcher?.stop().catch(() => undefined);
    await engine?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
}

/** Debian's asterisk-moh-opsound-wav when installed (DESIGN.md §5), else a built-in tone. */
function defaultHoldMusic(): string {
  const dir = '/usr/share/asterisk/moh';
  try {
    if (existsSync(dir)) {
      const wav = readdirSync(dir)
        .filter((f) => f.endsWith('.wav'))
        .sort()[0];
      if (wav) return join(dir, wav);
    }
  } catch {
    // Unreadable: the tone below.
  }
  return 'tone:425';
}
