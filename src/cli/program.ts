/**
 * The `partyline` command line. `serve` (the default) runs the call server;
 * `account` manages its accounts on the data directory; `phlo`, `run`,
 * `call`, `transfer`, `abort-transfer`, `member`, `calls` and `events` drive
 * a running server through @partyline/client; `agent` runs the stand-alone
 * SIP agent; `dial` places one call and reports how it went.
 *
 * Exit status: 0 done; 1 the server said no (or a followed dial failed);
 * 2 a usage error (commander's, or a CliError naming the flag to fix).
 */
import { Command, CommanderError } from 'commander';
import pino from 'pino';
import { PartylineError } from '@partyline/client';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { startSipAgent } from '../agent/index.js';
import { RoutingError, UserAgent } from '../sip/ua/index.js';
import { registerServe } from './serve.js';
import { registerAccount } from './account.js';
import { registerPhlo } from './phlo.js';
import { registerDemo } from '../demo/index.js';
import { registerRun } from './run.js';
import { registerActions } from './actions.js';
import { registerCalls } from './calls.js';
import { registerEvents } from './events.js';
import { CliError, EXIT_REFUSED, EXIT_USAGE } from './errors.js';
import { port } from './options.js';
import { configReader } from './settings.js';

export { CliError } from './errors.js';

function withOverrides(
  config: Config,
  o: { address?: string; port?: number; mode?: string; logLevel?: string },
): Config {
  if (o.address) config.sip.address = o.address;
  if (o.port !== undefined) config.sip.port = o.port;
  if (o.mode) {
    if (!['answer', 'reject', 'ring'].includes(o.mode))
      throw new ConfigError(`--mode must be answer, reject or ring`);
    config.agent.mode = o.mode as Config['agent']['mode'];
  }
  if (o.logLevel) config.logLevel = o.logLevel as Config['logLevel'];
  return config;
}

export function buildCli(): Command {
  const program = new Command('partyline')
    .description('Partyline: a self-hosted multi-party call server')
    .option('-c, --config <file>', 'JSON configuration file (default: ./partyline.json if present)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent')
    // Usage errors come back to runCli (exit 2) instead of commander exiting with 1;
    // subcommands made after this inherit it.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      '\nCredentials for the API commands: --auth-id/--auth-token, PARTYLINE_AUTH_ID/PARTYLINE_AUTH_TOKEN\n' +
        '(or PLIVO_AUTH_ID/PLIVO_AUTH_TOKEN), or a profile in ~/.config/partyline/credentials.json\n' +
        '(partyline account create --save). Server: --url or PARTYLINE_URL. Exit status: 0 done,\n' +
        '1 the server said no, 2 usage. Every command has --help.',
    );

  const readConfig = configReader(program);
  registerServe(program, readConfig);
  registerAccount(program, readConfig);
  registerPhlo(program, readConfig);
  registerDemo(program);
  registerRun(program, readConfig);
  registerActions(program, readConfig);
  registerCalls(program, readConfig);
  registerEvents(program, readConfig);

  program
    .command('agent')
    .description('run the SIP agent: answer, reject or ring incoming calls')
    .option('-a, --address <ip>', 'address to listen on')
    .option('-p, --port <port>', 'SIP port (UDP and TCP)', port)
    .option('-m, --mode <mode>', 'answer | reject | ring')
    .action(async (opts: { address?: string; port?: number; mode?: string }) => {
      const g = program.opts<{ config?: string; logLevel?: string }>();
      const config = withOverrides(loadConfig(g.config), { ...opts, logLevel: g.logLevel });
      const logger = pino({ level: config.logLevel });
      const agent = await startSipAgent(config, logger);
      for (const l of agent.ua.bindings()) logger.info(l, 'SIP listening');
      logger.info({ mode: config.agent.mode }, 'Partyline SIP agent ready');
      const stop = async (signal: string): Promise<void> => {
        logger.info({ signal }, 'stopping');
        await agent.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });

  program
    .command('dial <address>')
    .description(
      'place one call (sip:user@host, user@host or a phone number via the trunk) and report the outcome',
    )
    .option('-f, --from <callerId>', 'caller ID')
    .option('-t, --timeout <seconds>', 'ring timeout', (v) => Number(v), 30)
    .option('--hold <seconds>', 'stay connected this long before hanging up', (v) => Number(v), 5)
    .action(async (address: string, opts: { from?: string; timeout: number; hold: number }) => {
      const g = program.opts<{ config?: string; logLevel?: string }>();
      const config = withOverrides(loadConfig(g.config), {
        port: 0,
        logLevel: g.logLevel ?? 'warn',
      });
      const logger = pino({ level: config.logLevel });
      const ua = await UserAgent.create({
        listen: config.sip.transports.map((protocol) => ({
          protocol,
          address: config.sip.address,
          port: 0,
        })),
        trunks: config.sip.trunks,
        timers: config.sip.timers,
        userAgent: config.sip.userAgent,
        logger,
      });
      const code = await new Promise<number>((resolve) => {
        const call = ua.call(address, {
          from: opts.from,
          ringTimeoutMs: opts.timeout * 1000,
          sdp: null,
        });
        call.on('progress', (p) => console.log(`${p.status} ${p.reason}`));
        call.on('failed', (f) => {
          console.log(`failed: ${f.cause}${f.status ? ` (${f.status})` : ''} ${f.reason}`);
          resolve(2);
        });
        call.on('answered', () => {
          console.log('answered');
          setTimeout(() => call.hangup(), opts.hold * 1000);
        });
        call.on('ended', (e) => {
          console.log(`ended by ${e.by}: ${e.reason}`);
          resolve(0);
        });
      });
      await ua.close();
      process.exitCode = code;
    });
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    // Commander has printed its message (or the help) already.
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
    if (err instanceof CliError || err instanceof ConfigError || err instanceof RoutingError) {
      console.error(`partyline: ${err.message}`);
      process.exit(err instanceof CliError ? err.exitCode : EXIT_REFUSED);
    }
    // Every API call is guarded (context.ts); one that is not still gets a message, not a trace.
    if (err instanceof PartylineError) {
      console.error(`partyline: ${err.message}`);
      process.exit(EXIT_REFUSED);
    }
    throw err;
  }
}
