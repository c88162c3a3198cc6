export { startSipAgent, type SipAgent } from './sip-agent.js';
export { openEchoSession, type EchoSession } from './echo-media.js';
