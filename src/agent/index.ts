export { startSipAgent, type SipAgent } from './sip-agent.js';
export { openEchoSession, type EchoSession, type EchoResult } from './echo-media.js';
