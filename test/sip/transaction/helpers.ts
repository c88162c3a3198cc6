/**
 * Test support for the transaction layer: a recording transport double (this
 * is a unit test of the layer above the transport), a recording TU, and SIP
 * messages built from wire text through the real parser.
 */
import assert from 'node:assert/strict';
import {
  createResponse,
  parseMessage,
  serializeMessage,
  SipRequest,
  SipResponse,
} from '../../../src/sip/message/index.js';
import {
  TransactionLayer,
  type ClientTransactionHandlers,
  type Endpoint,
  type ServerTransaction,
  type Source,
  type TimerConfig,
  type TransactionTransport,
  type TransactionUser,
  type TransportProtocol,
} from '../../../src/sip/transaction/index.js';
import { ManualClock } from '../../support/manual-clock.js';

export interface SentRequest {
  kind: 'request';
  at: number;
  message: SipRequest;
  dest: Endpoint;
}
export interface SentResponse {
  kind: 'response';
  at: number;
  message: SipResponse;
  source: Source;
}

/** Records every send; can be told to fail or to switch a request to TCP. */
export class RecordingTransport implements TransactionTransport {
  readonly sent: (SentRequest | SentResponse)[] = [];
  /** When set, every send rejects with this error (after being recorded). */
  failWith: Error | undefined;
  /** When true, sendRequest resolves with the destination switched to tcp (§18.1.1). */
  switchToTcp = false;

  constructor(private readonly clock: ManualClock) {}

  sendRequest(req: SipRequest, dest: Endpoint): Promise<Endpoint> {
    this.sent.push({ kind: 'request', at: this.clock.now(), message: req, dest });
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve(this.switchToTcp ? { ...dest, protocol: 'tcp' } : dest);
  }

  sendResponse(res: SipResponse, source: Source): Promise<void> {
    this.sent.push({ kind: 'response', at: this.clock.now(), message: res, source });
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve();
  }

  requests(method?: string): SentRequest[] {
    return this.sent.filter(
      (s): s is SentRequest => s.kind === 'request' && (!method || s.message.method === method),
    );
  }

  responses(status?: number): SentResponse[] {
    return this.sent.filter(
      (s): s is SentResponse => s.kind === 'response' && (!status || s.message.status === status),
    );
  }
}

export interface UserEvent {
  kind: 'request' | 'stray';
  message: SipRequest | SipResponse;
  tx: ServerTransaction | null;
}

/** A TU that records what reaches it and lets a test react to new requests. */
export class RecordingUser implements TransactionUser {
  readonly events: UserEvent[] = [];
  onNewRequest:
    ((req: SipRequest, tx: ServerTransaction | null, source: Source) => void) | undefined;

  onRequest(req: SipRequest, tx: ServerTransaction | null, source: Source): void {
    this.events.push({ kind: 'request', message: req, tx });
    this.onNewRequest?.(req, tx, source);
  }

  onStrayResponse(res: SipResponse): void {
    this.events.push({ kind: 'stray', message: res, tx: null });
  }

  requests(method?: string): UserEvent[] {
    return this.events.filter(
      (e) => e.kind === 'request' && (!method || (e.message as SipRequest).method === method),
    );
  }

  strays(): UserEvent[] {
    return this.events.filter((e) => e.kind === 'stray');
  }
}

/** Client handlers that record every call in order. */
export class RecordingHandlers implements ClientTransactionHandlers {
  readonly log: string[] = [];
  readonly responses: SipResponse[] = [];
  readonly errors: Error[] = [];

  onResponse(res: SipResponse): void {
    this.responses.push(res);
    this.log.push(`response ${res.status}`);
  }
  onTimeout(): void {
    this.log.push('timeout');
  }
  onTransportError(err: Error): void {
    this.errors.push(err);
    this.log.push('transport-error');
  }
  onTerminated(): void {
    this.log.push('terminated');
  }
}

export function endpoint(protocol: TransportProtocol = 'udp'): Endpoint {
  return { protocol, address: '192.0.2.20', port: 5060 };
}

export function source(protocol: TransportProtocol = 'udp', address = '192.0.2.10'): Source {
  return { protocol, address, port: 5062, local: { address: '192.0.2.1', port: 5060 } };
}

/** Lets promise callbacks of the transport double (resolve / reject) run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function parse(text: string): SipRequest | SipResponse {
  const result = parseMessage(Buffer.from(text.replace(/\r?\n/g, '\r\n')));
  if (!result.ok) assert.fail(`test message does not parse: ${result.error.message}\n${text}`);
  return result.message;
}

export interface RequestOptions {
  /** null: no branch parameter at all. */
  branch?: string | null;
  sentBy?: string;
  viaTransport?: 'UDP' | 'TCP';
  uri?: string;
  callId?: string;
  fromTag?: string;
  toTag?: string;
  cseq?: number;
  /** CSeq method; defaults to the request method. */
  cseqMethod?: string;
  routes?: string[];
}

/** A request as a peer would send it, parsed from wire text. */
export function request(method: string, o: RequestOptions = {}): SipRequest {
  const branch = o.branch === undefined ? 'z9hG4bK-test-1' : o.branch;
  const via =
    `Via: SIP/2.0/${o.viaTransport ?? 'UDP'} ${o.sentBy ?? 'client.example.com:5062'}` +
    (branch === null ? '' : `;branch=${branch}`);
  const lines = [
    `${method} ${o.uri ?? 'sip:bob@example.com'} SIP/2.0`,
    via,
    'Max-Forwards: 70',
    ...(o.routes ?? []).map((r) => `Route: ${r}`),
    `To: Bob <sip:bob@example.com>${o.toTag ? `;tag=${o.toTag}` : ''}`,
    `From: Alice <sip:alice@example.com>;tag=${o.fromTag ?? 'from-1'}`,
    `Call-ID: ${o.callId ?? 'call-1@client.example.com'}`,
    `CSeq: ${o.cseq ?? 1} ${o.cseqMethod ?? method}`,
    'Contact: <sip:alice@client.example.com:5062>',
    'Content-Length: 0',
    '',
    '',
  ];
  const msg = parse(lines.join('\n'));
  assert.ok(msg instanceof SipRequest);
  return msg;
}

/** The response a peer would send to `req`, through the wire format and back. */
export function responseTo(req: SipRequest, status: number, toTag?: string): SipResponse {
  const res = createResponse(req, status, undefined, toTag === undefined ? {} : { toTag });
  const msg = parseMessage(serializeMessage(res));
  if (!msg.ok) assert.fail(`response does not parse: ${msg.error.message}`);
  assert.ok(msg.message instanceof SipResponse);
  return msg.message;
}

/** A layer wired to a ManualClock, a recording transport and a recording TU. */
export function setup(timers?: Partial<TimerConfig>): {
  clock: ManualClock;
  transport: RecordingTransport;
  user: RecordingUser;
  layer: TransactionLayer;
} {
  const clock = new ManualClock();
  const transport = new RecordingTransport(clock);
  const user = new RecordingUser();
  const layer = new TransactionLayer(transport, user, { clock, ...(timers ? { timers } : {}) });
  return { clock, transport, user, layer };
}
