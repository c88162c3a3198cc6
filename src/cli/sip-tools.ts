/**
 * `partyline agent` (the stand-alone SIP agent) and `partyline dial` (one
 * test call, its outcome printed; exit 1 when it fails). Their modules (the
 * SIP stack, pino) load only when one of them runs.
 */
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import { EXIT_REFUSED, usage } from './errors.js';
import { port } from './options.js';

function withOverrides(
  config: Config,
  o: { address?: string; port?: number; mode?: string; logLevel?: string },
): Config {
  if (o.address) config.sip.address = o.address;
  if (o.port !== undefined) config.sip.port = o.port;
  if (o.mode) {
    if (!['answer', 'reject', 'ring'].includes(o.mode))
      throw usage('--mode must be answer, reject or ring');
    config.agent.mode = o.mode as Config['agent']['mode'];
  }
  if (o.logLevel) config.logLevel = o.logLevel as Config['logLevel'];
  return config;
}

export function registerSipTools(program: Command): void {
  program
    .command('agent')
    .description('run the SIP agent: answer, reject or ring incoming calls')
    .option('-a, --address <ip>', 'address to listen on')
    .option('-p, --port <port>', 'SIP port (UDP and TCP)', port)
    .option('-m, --mode <mode>', 'answer | reject | ring')
    .action(async (opts: { address?: string; port?: number; mode?: string }) => {
      const g = program.opts<{ config?: string; logLevel?: string }>();
      const [{ loadConfig }, { pino }, { startSipAgent }] = await Promise.all([
        import('../config/index.js'),
        import('pino'),
        import('../agent/index.js'),
      ]);
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
      const [{ loadConfig }, { pino }, { UserAgent }] = await Promise.all([
        import('../config/index.js'),
        import('pino'),
        import('../sip/ua/index.js'),
      ]);
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
          resolve(EXIT_REFUSED);
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
}
