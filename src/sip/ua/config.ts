/** Configuration of the user agent: where it listens, which trunks it dials through, who may call in. */
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import type { ListenSpec, TransportProtocol } from '../transport/index.js';
import type { TimerConfig } from '../transaction/index.js';
import type { DigestAlgorithm } from '../auth/index.js';
import {
  DEFAULT_SESSION_EXPIRES_S,
  MIN_SE_FLOOR_S,
  type SessionTimerPolicy,
} from '../dialog/index.js';
import type { NatMode } from './nat.js';
import type { RegistrationTiming } from './registration.js';

/**
 * A SIP trunk (carrier). Phone numbers are sent to it as
 * sip:NUMBER@host[:port] with its credentials answering digest challenges.
 */
export interface TrunkConfig {
  name: string;
  host: string;
  port?: number;
  transport?: TransportProtocol;
  username?: string;
  password?: string;
  /** Only answer challenges from this realm (default: any realm). */
  realm?: string;
  /**
   * How numbers are written in the Request-URI, To and From user parts:
   * `e164` keeps a leading "+" (`+14155550100`), `digits` strips it
   * (`14155550100`). Carriers differ; `e164` is the default.
   */
  numberFormat?: 'e164' | 'digits';
  /** Host used in the From URI (default: the trunk host, as most carriers expect). */
  fromDomain?: string;
  /** Number prefixes this trunk takes ("+1", "44"); empty/absent = any number. The longest match wins. */
  prefixes?: string[];
  /**
   * REGISTER with the trunk (RFC 3261 §10.2) so it sends us the calls for
   * its numbers: the account `username@host` bound to our Contact,
   * refreshed before it expires, retried with back-off after a failure.
   */
  register?: boolean;
  /** Seconds asked for in the REGISTER's Expires (default 3600). */
  registerExpires?: number;
  /**
   * Send this trunk's INVITEs and REGISTERs through a proxy (`host`,
   * `host:port` or a `sip:` URI), named in a Route header (RFC 3261 §8.1.2).
   */
  outboundProxy?: string;
}

/** SIP users that may call in; their INVITEs are challenged with digest authentication (RFC 3261 §22). */
export interface InboundAuthConfig {
  realm: string;
  users: Record<string, string>;
  /**
   * Digest algorithms offered, one WWW-Authenticate each, in this order.
   * Default DEFAULT_INBOUND_ALGORITHMS, MD5 only. RFC 8760 §2.3 would list
   * SHA-256 first and let the client pick the topmost it supports, but
   * deployed UAs do not: SIPp 3.6 answers only the first challenge and
   * knows no SHA-256, and baresip 1.0 gives up the call ("Function not
   * implemented") as soon as any challenge is SHA-256, even after an MD5
   * one (test/e2e). Offer ['SHA-256', 'MD5'] only to clients known to
   * follow RFC 8760.
   */
  algorithms?: DigestAlgorithm[];
}

export interface UserAgentOptions {
  listen: ListenSpec[];
  trunks?: TrunkConfig[];
  inboundAuth?: InboundAuthConfig;
  timers?: Partial<TimerConfig>;
  /** Value of the User-Agent / Server header. */
  userAgent?: string;
  /**
   * Ring timeout (ms): the default for outgoing calls, and the lifetime of
   * an incoming INVITE nobody answers — it then gets 480 and the call fails
   * with `no-answer`, so spoofed INVITEs cannot pile up.
   */
  ringTimeoutMs?: number;
  /** User part of our Contact and default From. */
  localUser?: string;
  tcpIdleTimeoutMs?: number;
  /** Cap on inbound TCP connections open at once, per listener (transport default: 1000). */
  maxInboundTcpConnections?: number;
  /** Cap on inbound TCP connections open at once from one source address (transport default: 32). */
  maxInboundTcpConnectionsPerSource?: number;
  /** How long a TCP peer may take to send a message's headers once it began (transport default: 10 s). */
  tcpHeaderTimeoutMs?: number;
  /** Calls (incoming and outgoing, any state) at most; past it an INVITE gets 503 (default 10 000). */
  maxDialogs?: number;
  /** Server transactions at most, lingering ones included; past it new requests get 503 (default 500 000). */
  maxServerTransactions?: number;
  /** New out-of-dialog requests per second from one source address before 503s (default 1000; 0 = off). */
  newRequestsPerSecondPerSource?: number;
  /** Burst above that rate (default: one second's worth). */
  newRequestsBurstPerSource?: number;
  /**
   * Session timers (RFC 4028): the Session-Expires we offer and grant at
   * most (default 1800 s) and our Min-SE (default 90 s, the RFC's floor).
   */
  sessionTimer?: { expiresS?: number; minSeS?: number };
  /**
   * How long a re-INVITE of ours may go without a final response before we
   * CANCEL it (default 64·T1, as long as Timer B gives an unanswered one).
   */
  reinviteTimeoutMs?: number;
  /**
   * Peers behind NAT (nat.ts): `auto` (default) keeps the flow of a peer
   * whose Via/Contact differ from its packet source, for in-dialog
   * requests and RTP latching; `always` for every direct peer; `never`.
   */
  nat?: NatMode;
  /**
   * DNS servers for RFC 3263 lookups (NAPTR, SRV, A, AAAA), as `ip` or
   * `ip:port`; default the system's (and A/AAAA through getaddrinfo, so
   * /etc/hosts applies).
   */
  dnsServers?: string[];
  /** Timing of trunk registrations (tests shorten the back-off). */
  registration?: RegistrationTiming;
  clock?: Clock;
  /** Uniform [0, 1) random source (glare waits, RFC 3261 §14.1); default Math.random. */
  random?: () => number;
  logger?: Logger;
}

/**
 * RFC 4028 §4, §5: Session-Expires and Min-SE in whole seconds, Min-SE at
 * least 90 and Session-Expires not below it.
 */
export function resolveSessionTimer(opts: UserAgentOptions['sessionTimer']): SessionTimerPolicy {
  const expiresS = opts?.expiresS ?? DEFAULT_SESSION_EXPIRES_S;
  const minSeS = opts?.minSeS ?? MIN_SE_FLOOR_S;
  if (!Number.isInteger(minSeS) || minSeS < MIN_SE_FLOOR_S)
    throw new RangeError(
      `sessionTimer.minSeS must be a whole number of seconds ≥ ${MIN_SE_FLOOR_S}`,
    );
  if (!Number.isInteger(expiresS) || expiresS < minSeS)
    throw new RangeError('sessionTimer.expiresS must be a whole number of seconds ≥ minSeS');
  return { expiresS, minSeS };
}

export const DEFAULT_RING_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_DIALOGS = 10_000;
export const DEFAULT_USER_AGENT = 'Partyline/0.1';
export const DEFAULT_INBOUND_ALGORITHMS: DigestAlgorithm[] = ['MD5'];
