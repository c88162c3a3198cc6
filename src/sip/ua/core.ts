/**
 * What a call (Session) needs from the user agent core that owns it. Kept
 * as an interface so sessions do not depend on the UserAgent class itself.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import type { NameAddr, SipRequest, Uri } from '../message/index.js';
import type {
  ClientTransaction,
  ClientTransactionHandlers,
  TimerConfig,
} from '../transaction/index.js';
import type { Endpoint } from '../transport/index.js';
import type { SessionTimerPolicy } from '../dialog/index.js';
import type { Route } from './routing.js';
import type { Session } from './session.js';
import type { NatMode } from './nat.js';

export type NextHop = Route['next'];

export interface UaCore {
  readonly clock: Clock;
  readonly timers: TimerConfig;
  readonly logger: Logger;
  readonly userAgent: string;
  readonly allow: string;
  /** Uniform [0, 1): §14.1 glare waits, Retry-After values. Injectable for tests. */
  readonly random: () => number;
  /** How long our re-INVITE may wait for a final response before we CANCEL it (reinvite-client.ts). */
  readonly reinviteTimeoutMs: number;
  /** Session timers (RFC 4028) we offer and accept. */
  readonly sessionTimer: SessionTimerPolicy;
  /** How peers behind NAT are treated (nat.ts). */
  readonly nat: NatMode;
  /** Resolves the next hop, stamps a fresh top Via and starts a client transaction. */
  sendRequest(
    req: SipRequest,
    next: NextHop | Endpoint,
    handlers: ClientTransactionHandlers,
  ): Promise<ClientTransaction | null>;
  /** Sends an ACK for a 2xx (§13.2.2.4): stateless, its own branch, no transaction. */
  sendAck(ack: SipRequest, next: NextHop | Endpoint): Promise<void>;
  /** Routes a redirect target (a 3xx Contact) by the rules of the original call (routing.ts). */
  routeRedirect(target: Uri, original: Route): Route;
  /** RFC 3263: the endpoints to try for a next hop, best first (throws RoutingError). */
  locate(next: NextHop): Promise<Endpoint[]>;
  /** Our Contact for requests leaving over that transport. */
  contactFor(next: NextHop | Endpoint): NameAddr;
  addSession(dialogId: string, session: Session): void;
  removeSession(dialogId: string): void;
  /** The call is over (failed, rejected or ended): the core stops tracking it. */
  forget(session: Session): void;
}
