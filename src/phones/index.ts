// Virtual phones: SIP user agents with a voice and an ear, built on src/sip and src/media
// (shipped code: `partyline demo` runs three; nothing here is test support).
export {
  VirtualPhone,
  type VirtualPhoneOptions,
  type VirtualPhoneEvents,
} from './virtual-phone.js';
export { PhoneCall } from './phone-call.js';
export { toneVoice, speechVoice, type Voice } from './voice.js';
export { speak } from './espeak.js';
export { HEARD_DB, NOT_HEARD_DB, HEARING_WINDOW_MS } from './hearing.js';
