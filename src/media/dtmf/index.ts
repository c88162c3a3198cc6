// The whole public surface of RFC 4733 DTMF (telephone-event) handling.
export {
  parseTelephoneEvent,
  serializeTelephoneEvent,
  digitToEvent,
  eventToDigit,
  TELEPHONE_EVENT_SIZE,
  type TelephoneEvent,
} from './telephone-event.js';
export { DtmfReceiver, type DtmfDigit, type DtmfReceiverOptions } from './dtmf-receiver.js';
export { DtmfSender, type DtmfPacket, type DtmfSenderOptions } from './dtmf-sender.js';
