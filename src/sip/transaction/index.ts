// The whole public surface of the SIP transaction layer (RFC 3261 §17, RFC 6026).
export { TransactionLayer, type TransactionLayerOptions } from './transaction-layer.js';
export { DEFAULT_TIMERS } from './timers.js';
export type {
  ClientTransaction,
  ClientTransactionHandlers,
  Endpoint,
  InviteServerTransaction,
  ServerTransaction,
  Source,
  TimerConfig,
  TransactionTransport,
  TransactionUser,
  TransportProtocol,
} from './types.js';
