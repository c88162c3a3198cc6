// The `partyline` command line.
export { buildCli, runCli, CliError } from './program.js';
export { SERVER_V8_FLAGS, isServerV8Flag, missingV8Flags, type V8Flag } from './runtime-flags.js';
