// The whole public surface of the SIP transaction layer (RFC 3261 §17, RFC 6026).
export { TransactionLayer, type TransactionLayerOptions } from './transaction-layer.js';
export { DEFAULT_TIMERS } from './timers.js';
export { statelessResponse, statelessToTag } from './stateless.js';
export {
  DEFAULT_MAX_SERVER_TRANSACTIONS,
  DEFAULT_NEW_REQUESTS_PER_SECOND_PER_SOURCE,
  type AdmissionLimits,
} from './admission.js';
export type { InviteClientState } from './invite-client.js';
export type { NonInviteClientState } from './non-invite-client.js';
export type { InviteServerState } from './invite-server.js';
export type { NonInviteServerState } from './non-invite-server.js';
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
