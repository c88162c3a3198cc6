/**
 * Public types of the SIP transaction layer (RFC 3261 §17, RFC 6026) and the
 * narrow view of the transport layer it needs.
 */
import type { SipRequest, SipResponse } from '../message/index.js';
// The transport layer's value types only, never its implementation.
import type { Endpoint, Source } from '../transport/index.js';

export type { Endpoint, Source, TransportProtocol } from '../transport/index.js';

/** What the transaction layer needs from the transport layer (RFC 3261 §18). */
export interface TransactionTransport {
  /**
   * Sends a request. Rejects with an Error on transport failure; resolves
   * with the endpoint really used (the protocol may switch udp→tcp for a
   * request too big for UDP, §18.1.1).
   */
  sendRequest(req: SipRequest, dest: Endpoint): Promise<Endpoint>;
  /** Sends a response back towards where its request came from (§18.2.2). */
  sendResponse(res: SipResponse, requestSource: Source): Promise<void>;
}

/** RFC 3261 §17.1.1.1 / Table 4 base timer values, in milliseconds. */
export interface TimerConfig {
  /** RTT estimate (default 500 ms). */
  T1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses (default 4 s). */
  T2: number;
  /** Maximum duration a message remains in the network (default 5 s). */
  T4: number;
}

/** The layer above (UA core / dialogs) as the transaction layer sees it. */
export interface TransactionUser {
  /**
   * A request that matched no server transaction. For non-ACK requests a
   * server transaction has been created and is passed; for ACK (to a 2xx,
   * §17.2.3 / §13.3.1.4, or any ACK that matched nothing) tx is null.
   */
  onRequest(req: SipRequest, tx: ServerTransaction | null, source: Source): void;
  /**
   * Asked first for every request (not ACK) that matched no server
   * transaction and passed admission: a final response to send statelessly
   * (§8.2.7) — then no transaction is created and onRequest is not called —
   * or undefined to go on. Rejections of out-of-dialog requests belong here
   * (challenges, 403/404/405/415/420/481/503): a retransmission is simply
   * judged and answered again. Build them with statelessResponse().
   */
  statelessReply?(req: SipRequest, source: Source): SipResponse | undefined;
  /**
   * A response that matched no client transaction (e.g. 2xx retransmissions
   * after the INVITE client transaction ended), RFC 6026 §8.4.
   */
  onStrayResponse(res: SipResponse, source: Source): void;
}

export interface ClientTransactionHandlers {
  /** Every provisional and final response passed up (including 2xx retransmissions in the Accepted state, RFC 6026). */
  onResponse(res: SipResponse): void;
  /** Timer B (INVITE) or Timer F (non-INVITE) fired: no final response came. */
  onTimeout(): void;
  /** The transport could not send the request (§17.1.4). */
  onTransportError(err: Error): void;
  /** The transaction reached Terminated and was forgotten. */
  onTerminated?(): void;
}

export interface ClientTransaction {
  readonly id: string;
  /**
   * The request, until a final response came: what lingers after that
   * (Timers D, K, M) only absorbs retransmissions, and thousands of lingering
   * transactions must cost little memory (see ServerTransaction.request).
   */
  readonly request: SipRequest | undefined;
  readonly state: string;
  /** Endpoint used (may be tcp after a udp→tcp switch). */
  readonly destination: Endpoint;
  /**
   * Ends the transaction now; no handler is called except onTerminated.
   * RFC 3261 §9.1: a UAC whose CANCEL got no final response for the INVITE
   * within 64·T1 destroys the INVITE client transaction itself — the INVITE
   * client machine has no timer of its own in the Proceeding state.
   */
  terminate(): void;
}

export interface ServerTransaction {
  readonly id: string;
  /**
   * The request that created the transaction, until its final response is
   * sent. A transaction then lingers up to 64·T1 only to absorb
   * retransmissions, and lets the request go so that thousands of lingering
   * transactions cost little memory.
   */
  readonly request: SipRequest | undefined;
  readonly state: string;
  readonly source: Source;
  /** Passes a response from the TU to the machine, which sends it if its state allows. Never throws. */
  respond(res: SipResponse): void;
  /** Called once when the transaction reaches Terminated. */
  onTerminated?: () => void;
  /** INVITE only: Timer H fired — the ACK for a 3xx–6xx final response never came (§17.2.1). */
  onTimeout?: () => void;
  /** A response could not be sent (§17.2.4); the transaction has terminated. */
  onTransportError?: (err: Error) => void;
}

export interface InviteServerTransaction extends ServerTransaction {
  readonly method: 'INVITE';
}
