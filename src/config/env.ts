/**
 * Environment overrides, applied over the file: each variable sets one
 * setting and is checked like the file's value, its message naming the
 * variable (`PARTYLINE_HTTP_PORT: must be an integer from 0 to 65535`).
 */
import { LOG_LEVELS, type Config } from './config.js';
import { ConfigError, int, oneOf } from './checks.js';
import { checkServerSections, ipAddress, mediaTimeout } from './server-sections.js';

type Apply = (c: Config, value: string, name: string) => void;

function integer(value: string, name: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(value.trim()))
    throw new ConfigError(`${name}: must be an integer from ${min} to ${max} (got "${value}")`);
  return int(Number(value), name, min, max);
}

/** Every variable Partyline reads, and the setting it overrides (README "Configuration"). */
export const ENVIRONMENT: Record<string, Apply> = {
  PARTYLINE_LOG_LEVEL: (c, v, n) => {
    c.logLevel = oneOf(v, n, LOG_LEVELS);
  },
  PARTYLINE_DATA_DIR: (c, v) => {
    c.dataDir = v;
  },
  PARTYLINE_HTTP_HOST: (c, v, n) => {
    c.http.host = ipAddress(v, n);
  },
  PARTYLINE_HTTP_PORT: (c, v, n) => {
    c.http.port = integer(v, n, 0, 65535);
  },
  PARTYLINE_SIP_ADDRESS: (c, v, n) => {
    c.sip.address = ipAddress(v, n);
  },
  PARTYLINE_SIP_PORT: (c, v, n) => {
    c.sip.port = integer(v, n, 0, 65535);
  },
  PARTYLINE_MEDIA_ADDRESS: (c, v, n) => {
    c.media.address = ipAddress(v, n);
  },
  PARTYLINE_MEDIA_PORT_MIN: (c, v, n) => {
    c.media.portMin = integer(v, n, 1024, 65534);
  },
  PARTYLINE_MEDIA_PORT_MAX: (c, v, n) => {
    c.media.portMax = integer(v, n, 1025, 65535);
  },
  PARTYLINE_MEDIA_INACTIVITY_TIMEOUT_MS: (c, v, n) => {
    c.media.inactivityTimeoutMs = mediaTimeout(integer(v, n, 0, 86_400_000), n);
  },
  PARTYLINE_MEDIA_HOLD_TIMEOUT_MS: (c, v, n) => {
    c.media.holdTimeoutMs = mediaTimeout(integer(v, n, 0, 86_400_000), n);
  },
  PARTYLINE_RATE_LIMIT_PER_SECOND: (c, v, n) => {
    c.http.rateLimitPerSecond = integer(v, n, 0, 1_000_000);
  },
  PARTYLINE_LIVE_CALLS_PER_ACCOUNT: (c, v, n) => {
    c.limits.liveCallsPerAccount = integer(v, n, 1, 100_000);
  },
};

/** Applies the PARTYLINE_* variables present in `env` (empty ones are ignored). */
export function applyEnvironment(config: Config, env: NodeJS.ProcessEnv): Config {
  for (const [name, apply] of Object.entries(ENVIRONMENT)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    apply(config, value, name);
  }
  checkServerSections(config);
  return config;
}
