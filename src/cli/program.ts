/**
 * The `partyline` command line. `serve` (the default) runs the call server;
 * `account` and `phlo` manage what it serves; `agent` runs the stand-alone
 * SIP agent; `dial` places one call and reports how it went.
 */
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { ConfigError, applyEnvironment, loadConfig, type Config } from '../config/index.js';
import { startSipAgent } from '../agent/index.js';
import { RoutingError, UserAgent } from '../sip/ua/index.js';
import { registerServe } from './serve.js';
import { registerAccount } from './account.js';
import { registerPhlo } from './phlo.js';
import { registerDemo } from '../demo/index.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be a port number 0-65535');
  return n;
}

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
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent');

  registerServe(program);
  registerAccount(program);
  registerPhlo(program);
  registerDemo(program);

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

/** The configuration every command reads: the file, then PARTYLINE_* variables, then flags. */
export function readConfig(program: Command): Config {
  const g = program.opts<{ config?: string; logLevel?: string }>();
  const config = applyEnvironment(
    loadConfig(g.config ?? process.env.PARTYLINE_CONFIG),
    process.env,
  );
  if (g.logLevel) config.logLevel = g.logLevel as Config['logLevel'];
  return config;
}

/** Errors a person can act on: the message alone, exit status 2 for usage, 1 otherwise. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof RoutingError || err instanceof CliError) {
      console.error(`partyline: ${err.message}`);
      process.exit(err instanceof CliError ? err.exitCode : 1);
    }
    throw err;
  }
}
