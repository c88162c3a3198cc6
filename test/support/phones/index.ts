// Phones on 127.0.0.1 that the code under test dials: SIPp does their SIP, an RtpTestPeer is their audio.
export { TonePhone, type TonePhoneOptions } from './tone-phone.js';
export { Carrier, type CarrierOptions } from './carrier.js';
export {
  SipPhone,
  type ListenWindow,
  type PhoneBehaviour,
  type PhoneCodec,
  type PhoneEvent,
  type PhoneEventKind,
  type SipPhoneOptions,
} from './sip-phone.js';
export {
  HEARD_DB,
  SILENT_DB,
  LISTEN_WINDOW_MS,
  levelDb,
  rmsDb,
  isSilent,
  waitFor,
  formatDb,
  sleep,
} from './audio.js';
export { renderScenario, writeScenario, PHONE_SCENARIOS } from './scenario.js';
