/**
 * Partyline's configuration: a JSON file (default ./partyline.json, optional)
 * merged over built-in defaults, then command-line overrides. Every value is
 * checked here so a bad file fails at start with a message naming the field,
 * never later inside a call.
 */
import type { TrunkConfig, InboundAuthConfig, NatMode, UserAgentOptions } from '../sip/ua/index.js';

export type AnswerMode = 'answer' | 'reject' | 'ring';

export interface SipSection {
  /** Address to bind (an IP literal). */
  address: string;
  port: number;
  transports: Array<'udp' | 'tcp'>;
  userAgent: string;
  ringTimeoutMs: number;
  /** Inbound TCP connections open at once per TCP listener; more are closed on accept. */
  maxInboundTcpConnections: number;
  /** Inbound TCP connections open at once from one source address. */
  maxInboundTcpConnectionsPerSource: number;
  /** Time a TCP peer has to send a message's headers once it began (ms). */
  tcpHeaderTimeoutMs: number;
  /** Calls at once (any state, both directions); past it INVITEs get 503. */
  maxDialogs: number;
  /** Server transactions at once (lingering included); past it new requests get 503. */
  maxServerTransactions: number;
  /** New out-of-dialog requests per second from one address (0 = no limit); past it 503. */
  newRequestsPerSecondPerSource: number;
  timers: { T1: number; T2: number; T4: number };
  /**
   * Session timers (RFC 4028), seconds: the Session-Expires we offer and
   * our Min-SE. A peer that takes none is probed with an in-dialog OPTIONS
   * every expiresS / 2 instead (its 481, 408 or silence ends the call).
   */
  sessionTimer: { expiresS: number; minSeS: number };
  /** Peers behind NAT: keep their flow and latch their RTP (`auto`: when their Via/Contact differ from their packet source). */
  nat: NatMode;
  /** DNS servers (`ip` or `ip:port`) for RFC 3263 lookups of trunks and SIP hosts; empty = the system's. */
  dnsServers: string[];
  trunks: TrunkConfig[];
  inboundAuth?: InboundAuthConfig;
}

/** What the SIP agent does with incoming calls until the call server exists. */
export interface AgentSection {
  mode: AnswerMode;
  /** Delay between 180 Ringing and the answer (answer mode). */
  answerAfterMs: number;
  /** Status used in reject mode. */
  rejectStatus: number;
  /** Hang up answered calls after this long (0 = wait for the caller). */
  maxCallMs: number;
}

/** The REST API's listener (`partyline serve`). */
export interface HttpSection {
  host: string;
  port: number;
  /** Largest request body accepted, bytes (a larger one gets 413). */
  bodyLimitBytes: number;
  /** Requests per second per account (a token bucket; over it: 429 with Retry-After); 0 = no limit. */
  rateLimitPerSecond: number;
  /** Bucket size: how many requests an account may send at once above the rate. */
  rateLimitBurst: number;
}

/** RTP for the call server's legs. */
export interface MediaSection {
  /** IP literal RTP binds to and SDP advertises; default: sip.address. */
  address: string | null;
  portMin: number;
  portMax: number;
  /**
   * Let audio URLs from PHLO documents reach loopback and private networks
   * (an internal music server). Off: only public addresses (no SSRF).
   */
  allowPrivateAudioUrls: boolean;
  /**
   * A connected leg whose peer sends neither RTP nor RTCP this long is
   * ended (BYE, hangup cause media-timeout); ms, 0 = never.
   */
  inactivityTimeoutMs: number;
  /**
   * The same while the leg is on hold, either way (the peer then sends
   * RTCP only, if anything); ms, 0 = never (session timers still end it).
   */
  holdTimeoutMs: number;
}

/** How much one account may use at once. */
export interface LimitsSection {
  /**
   * Live calls (MPC instances) per account: past it a run is refused with
   * 429 and an inbound call with 486 Busy Here.
   */
  liveCallsPerAccount: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface Config {
  logLevel: (typeof LOG_LEVELS)[number];
  sip: SipSection;
  agent: AgentSection;
  http: HttpSection;
  media: MediaSection;
  limits: LimitsSection;
  /** Where the database, recordings and the audio cache live. */
  dataDir: string;
}

export const DEFAULT_CONFIG: Config = {
  logLevel: 'info',
  sip: {
    address: '127.0.0.1',
    port: 5060,
    transports: ['udp', 'tcp'],
    userAgent: 'Partyline/0.1',
    ringTimeoutMs: 60_000,
    maxInboundTcpConnections: 1000,
    maxInboundTcpConnectionsPerSource: 32,
    tcpHeaderTimeoutMs: 10_000,
    maxDialogs: 10_000,
    maxServerTransactions: 500_000,
    newRequestsPerSecondPerSource: 1000,
    timers: { T1: 500, T2: 4000, T4: 5000 },
    sessionTimer: { expiresS: 1800, minSeS: 90 },
    nat: 'auto',
    dnsServers: [],
    trunks: [],
  },
  agent: { mode: 'answer', answerAfterMs: 1000, rejectStatus: 486, maxCallMs: 0 },
  http: {
    host: '127.0.0.1',
    port: 8080,
    bodyLimitBytes: 65_536,
    rateLimitPerSecond: 100,
    rateLimitBurst: 200,
  },
  media: {
    address: null,
    portMin: 40_000,
    portMax: 40_999,
    allowPrivateAudioUrls: false,
    inactivityTimeoutMs: 30_000,
    holdTimeoutMs: 600_000,
  },
  limits: { liveCallsPerAccount: 100 },
  dataDir: 'data',
};

/** The user agent's options from the sip section (listeners on every transport, same address and port). */
export function userAgentOptions(sip: SipSection): Omit<UserAgentOptions, 'clock' | 'logger'> {
  return {
    listen: sip.transports.map((protocol) => ({ protocol, address: sip.address, port: sip.port })),
    trunks: sip.trunks,
    inboundAuth: sip.inboundAuth,
    timers: sip.timers,
    sessionTimer: sip.sessionTimer,
    userAgent: sip.userAgent,
    ringTimeoutMs: sip.ringTimeoutMs,
    maxInboundTcpConnections: sip.maxInboundTcpConnections,
    maxInboundTcpConnectionsPerSource: sip.maxInboundTcpConnectionsPerSource,
    tcpHeaderTimeoutMs: sip.tcpHeaderTimeoutMs,
    maxDialogs: sip.maxDialogs,
    maxServerTransactions: sip.maxServerTransactions,
    newRequestsPerSecondPerSource: sip.newRequestsPerSecondPerSource,
    nat: sip.nat,
    ...(sip.dnsServers.length ? { dnsServers: sip.dnsServers } : {}),
  };
}
