export {
  DEFAULT_CONFIG,
  LOG_LEVELS,
  userAgentOptions,
  type Config,
  type SipSection,
  type AgentSection,
  type AnswerMode,
} from './config.js';
export { validateConfig, ConfigError } from './validate.js';
export { loadConfig } from './load.js';
export type { HttpSection, MediaSection } from './config.js';
export { applyEnvironment, ENVIRONMENT } from './env.js';
