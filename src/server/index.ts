// The call server's public surface: start it, and the account/PHLO helpers the CLI uses.
export { startServer, EXAMPLE_PHLO, type ServerOptions, type RunningServer } from './server.js';
export { createAccount, firstStartBanner, type FirstStart } from './first-start.js';
export { createLogger } from './logger.js';
export { PartylineService } from './partyline-service.js';
