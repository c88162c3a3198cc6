// The `partyline` command line.
export { buildCli, runCli, CliError } from './program.js';
