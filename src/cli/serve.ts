/** `partyline serve`: the call server, until SIGTERM or SIGINT. */
import type { Command } from 'commander';
import type { RunningServer } from '../server/index.js';
import { port, examples } from './options.js';
import { missingV8Flags } from './runtime-flags.js';
import type { ReadConfig } from './settings.js';

export function registerServe(program: Command, readConfig: ReadConfig): void {
  program
    .command('serve', { isDefault: true })
    .summary('run the call server (the default command)')
    .description(
      'run the call server: REST API (Plivo PHLO compatible), SIP and media in one process',
    )
    .option('--http-port <port>', 'REST API port (default 8080)', port)
    .option('--sip-port <port>', 'SIP port, UDP and TCP (default 5060)', port)
    .option('--data-dir <dir>', 'database and audio cache directory (default ./data)')
    .option('--pretty', 'human-readable logs (the default on a terminal)')
    .option('--json-logs', 'JSON log lines even on a terminal')
    .addHelpText(
      'after',
      examples(
        'partyline serve --http-port 8080 --sip-port 5060 --data-dir ./data',
        'PARTYLINE_LOG_LEVEL=debug partyline serve --json-logs',
      ),
    )
    .action(
      async (opts: {
        httpPort?: number;
        sipPort?: number;
        dataDir?: string;
        pretty?: boolean;
        jsonLogs?: boolean;
      }) => {
        const config = await readConfig();
        // Loaded here, not at start: the API commands never need the server's modules.
        const { createLogger, startServer } = await import('../server/index.js');
        if (opts.httpPort !== undefined) config.http.port = opts.httpPort;
        if (opts.sipPort !== undefined) config.sip.port = opts.sipPort;
        if (opts.dataDir) config.dataDir = opts.dataDir;
        const logger = createLogger(config.logLevel, {
          pretty: opts.jsonLogs ? false : opts.pretty ? true : undefined,
        });
        const missing = missingV8Flags(process.execArgv, process.env.NODE_OPTIONS);
        if (missing.length > 0) {
          logger.warn(
            { missing: missing.map((f) => f.flag), why: missing.map((f) => f.why) },
            `Node was started without ${missing.map((f) => f.flag).join(' ')}: latency ` +
              `under load will be worse (README "Running it": npm start and the partyline ` +
              `command pass them; otherwise put them on node's command line)`,
          );
        }
        // The handlers go in before the server starts: a signal that arrives while it starts
        // (right after "ready" is logged, say) still stops it cleanly once it is up.
        let server: RunningServer | null = null;
        let requested: string | null = null;
        const stop = (signal: string): void => {
          if (!server) {
            requested = signal;
            return;
          }
          logger.info({ signal }, 'stopping: hanging up live calls');
          server.stop().then(
            () => process.exit(0),
            (err: unknown) => {
              logger.error({ err }, 'stop failed');
              process.exit(1);
            },
          );
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
        server = await startServer({ config, logger });
        if (requested) stop(requested);
      },
    );
}
