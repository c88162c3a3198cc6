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
import { PartylineError } from '@partyline/client';
import { registerServe } from './serve.js';
import { registerAccount } from './account.js';
import { registerPhlo } from './phlo.js';
import { registerRun } from './run.js';
import { registerActions } from './actions.js';
import { registerCalls } from './calls.js';
import { registerEvents } from './events.js';
import { registerSipTools } from './sip-tools.js';
import { registerDemo } from '../demo/index.js';
import { CliError, EXIT_REFUSED, EXIT_USAGE } from './errors.js';
import { configReader } from './settings.js';

export { CliError } from './errors.js';

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
  registerRun(program, readConfig);
  registerActions(program, readConfig);
  registerCalls(program, readConfig);
  registerEvents(program, readConfig);

  registerSipTools(program);
  registerDemo(program);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    const program = buildCli();
    await program.parseAsync(argv);
  } catch (err) {
    // Commander has printed its message (or the help) already.
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
    if (err instanceof CliError) {
      console.error(`partyline: ${err.message}`);
      process.exit(err.exitCode);
    }
    // A bad configuration file or variable, an unroutable address: by name, so that their modules
    // (which load the SIP stack) are not loaded by every command.
    if (err instanceof Error && (err.name === 'ConfigError' || err.name === 'RoutingError')) {
      console.error(`partyline: ${err.message}`);
      process.exit(EXIT_REFUSED);
    }
    // Every API call is guarded (context.ts); one that is not still gets a message, not a trace.
    if (err instanceof PartylineError) {
      console.error(`partyline: ${err.message}`);
      process.exit(EXIT_REFUSED);
    }
    throw err;
  }
}
