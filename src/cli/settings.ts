/** The server configuration the CLI's commands read (for the data directory and the default URL). */
import type { Command } from 'commander';
import { applyEnvironment, loadConfig, type Config } from '../config/index.js';

export type ReadConfig = () => Config;

/** The configuration file (-c or PARTYLINE_CONFIG), then PARTYLINE_* variables, then --log-level. */
export function configReader(program: Command): ReadConfig {
  return () => {
    const g = program.opts<{ config?: string; logLevel?: string }>();
    const config = applyEnvironment(
      loadConfig(g.config ?? process.env.PARTYLINE_CONFIG),
      process.env,
    );
    if (g.logLevel) config.logLevel = g.logLevel as Config['logLevel'];
    return config;
  };
}
