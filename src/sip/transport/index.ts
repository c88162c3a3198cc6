// The whole public surface of the SIP transport layer (RFC 3261 §18, RFC 3581).
export {
  isReliable,
  type Endpoint,
  type ListenSpec,
  type Source,
  type TransportLayerOptions,
  type TransportProtocol,
} from './types.js';
export { TransportError, type TransportErrorCode } from './errors.js';
export { TransportLayer } from './transport-layer.js';
