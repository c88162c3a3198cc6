/** The server configuration the CLI's commands read (for the data directory and the default URL). */
import type { Command } from 'commander';
import type { Config } from '../config/index.js';

export type ReadConfig = () => Promise<Config>;

/**
 * The configuration file (-c or PARTYLINE_CONFIG), then PARTYLINE_* variables, then --log-level.
 * Loaded on first use: the configuration's validation pulls in the SIP stack, which the API
 * commands need only when no URL is given (for the configured HTTP address).
 */
export function configReader(program: Command): ReadConfig {
  return async () => {
    const { applyEnvironment, loadConfig } = await import('../config/index.js');
    const g = program.opts<{ config?: string; logLevel?: string }>();
    const config = applyEnvironment(
      loadConfig(g.config ?? process.env.PARTYLINE_CONFIG),
      process.env,
    );
    if (g.logLevel) config.logLevel = g.logLevel as Config['logLevel'];
    return config;
  };
}
