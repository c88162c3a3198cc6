/**
 * Registering with a trunk (RFC 3261 §10.2), so the carrier knows where to
 * send the calls for its numbers: one binding of our Contact to the trunk
 * account's address of record, kept alive by refreshing it before it
 * expires, answered digest challenges (§22.2), and a back-off after a
 * failure so a carrier that is down is not hammered.
 *
 * States: idle → registering → registered ⇄ registering (refresh)
 *                            → retrying (back-off) → registering …
 *         any → stopped (the user agent closes: one REGISTER with Expires: 0).
 *
 * Each round of registering (the first, a refresh, a retry) locates the
 * registrar again (RFC 3263, locate.ts: NAPTR, SRV, A/AAAA) and, like an
 * INVITE (§4.3), fails over to the next server on a timeout, a transport
 * error or a 503, before counting the round as a failure. The server that
 * holds our binding is tried first in later rounds, and gets the
 * un-REGISTER: a carrier's registrars need not share their bindings.
 *
 * One Call-ID and a growing CSeq for the whole life of the registration
 * (§10.2.4: "a UA SHOULD use the same Call-ID for all registrations during
 * a single boot cycle").
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock/index.js';
import {
  Headers,
  SipRequest,
  formatNameAddr,
  generateCallId,
  generateTag,
  type NameAddr,
  type SipResponse,
  type SipUri,
} from '../message/index.js';
import type { ClientTransaction, ClientTransactionHandlers } from '../transaction/index.js';
import { DigestClient } from '../auth/index.js';
import type { TrunkConfig } from './config.js';
import type { Endpoint } from '../transport/index.js';
import type { NextHop } from './core.js';
import { hostForUri, trunkNextHop } from './routing.js';

export type RegistrationState = 'idle' | 'registering' | 'registered' | 'retrying' | 'stopped';

/** What a registration needs from the user agent core (UaCore has it all). */
export interface RegistrarCore {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly userAgent: string;
  readonly allow: string;
  sendRequest(
    req: SipRequest,
    next: NextHop | Endpoint,
    handlers: ClientTransactionHandlers,
  ): Promise<ClientTransaction | null>;
  /** RFC 3263: every server to try for the registrar, best first (throws when DNS knows none). */
  locate(next: NextHop): Promise<Endpoint[]>;
  contactFor(next: NextHop | Endpoint): NameAddr;
}

export interface RegistrationStatus {
  trunk: string;
  state: RegistrationState;
  /** Seconds the registrar granted last (0 when not registered). */
  expires: number;
  /** Final status of the last REGISTER, when one came (undefined after a timeout or before any). */
  lastStatus?: number;
  /** The server holding our binding (`protocol:address:port`), while registered. */
  registrar?: string;
  /** Failures in a row since the last success. */
  failures: number;
}

export interface RegistrationTiming {
  /** Seconds asked for in Expires; default 3600 (§10.2.1.1's default). */
  expires?: number;
  /** First back-off after a failure, ms; doubled per failure in a row. Default 30 s. */
  retryMinMs?: number;
  /** Largest back-off, ms; default 30 min. */
  retryMaxMs?: number;
  /** [0, 1) source for the back-off's jitter; default Math.random. */
  random?: () => number;
}

const DEFAULT_EXPIRES_S = 3600;
const DEFAULT_RETRY_MIN_MS = 30_000;
const DEFAULT_RETRY_MAX_MS = 30 * 60_000;
/** Refresh this long before expiry at most (and at half-time for short grants). */
const REFRESH_MARGIN_S = 30;
/** A 423 asking for more than a day is not followed. */
const MAX_MIN_EXPIRES_S = 86_400;

export class Registration {
  private state: RegistrationState = 'idle';
  private readonly callId = generateCallId();
  private readonly fromTag = generateTag();
  private cseq = 0;
  private timer: TimerHandle | undefined;
  private readonly digest: DigestClient | null;
  private requested: number;
  private granted = 0;
  private failures = 0;
  private lastStatus: number | undefined;
  /** The REGISTER in flight; responses to older ones are ignored. */
  private current: SipRequest | null = null;
  private readonly next: NextHop;
  private readonly proxyRoute: string | undefined;
  /** The server this round's REGISTERs go to, and those left to fail over to. */
  private target: Endpoint | null = null;
  private fallbacks: Endpoint[] = [];
  /** The server that granted our binding last. */
  private bound: Endpoint | null = null;

  constructor(
    private readonly core: RegistrarCore,
    readonly trunk: TrunkConfig,
    private readonly timing: RegistrationTiming = {},
  ) {
    this.requested = timing.expires ?? trunk.registerExpires ?? DEFAULT_EXPIRES_S;
    this.digest =
      trunk.username && trunk.password
        ? new DigestClient({
            username: trunk.username,
            password: trunk.password,
            ...(trunk.realm ? { realm: trunk.realm } : {}),
          })
        : null;
    const hop = trunkNextHop(trunk);
    this.next = hop.next;
    this.proxyRoute = hop.proxyRoute;
  }

  start(): void {
    if (this.state !== 'idle') return;
    void this.round();
  }

  status(): RegistrationStatus {
    const s: RegistrationStatus = {
      trunk: this.trunk.name,
      state: this.state,
      expires: this.state === 'registered' ? this.granted : 0,
      failures: this.failures,
    };
    if (this.lastStatus !== undefined) s.lastStatus = this.lastStatus;
    if (this.state === 'registered' && this.bound) s.registrar = describe(this.bound);
    return s;
  }

  /**
   * Stops refreshing and removes our binding (Expires: 0, §10.2.2) when we
   * have one; resolves when the registrar answered or gave up (Timer F).
   */
  stop(): Promise<void> {
    const wasRegistered = this.state === 'registered' || this.state === 'registering';
    this.clearTimer();
    this.state = 'stopped';
    if (!wasRegistered) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const to = this.bound ?? this.target ?? this.next;
      const req = this.build(0, to);
      this.digest?.preauthorize(req);
      this.core
        .sendRequest(req, to, {
          onResponse: (res) => {
            if (res.status >= 200) resolve();
          },
          onTimeout: () => resolve(),
          onTransportError: () => resolve(),
        })
        .then((tx) => {
          if (!tx) resolve();
        })
        .catch(() => resolve());
    });
  }

  /** A round of registering: where the registrar is now, the server holding our binding first. */
  private async round(): Promise<void> {
    if (this.state === 'stopped') return;
    this.clearTimer();
    this.state = 'registering';
    let servers: Endpoint[];
    try {
      servers = await this.core.locate(this.next);
    } catch (err) {
      return this.fail(undefined, (err as Error).message);
    }
    if (this.state !== 'registering') return;
    const bound = this.bound;
    const i = bound ? servers.findIndex((e) => sameEndpoint(e, bound)) : -1;
    if (i > 0) servers.unshift(...servers.splice(i, 1));
    this.target = servers[0]!;
    this.fallbacks = servers.slice(1);
    this.send(this.requested);
  }

  /**
   * RFC 3263 §4.3: this server did not answer or is unavailable — the next
   * one of the round gets a new REGISTER (next CSeq). False when none is left.
   */
  private failOver(why: string): boolean {
    const next = this.fallbacks.shift();
    if (!next || this.state === 'stopped') return false;
    this.core.logger.info(
      { trunk: this.trunk.name, why, next: describe(next) },
      'trunk registration failing over to the next server',
    );
    this.target = next;
    this.send(this.requested);
    return true;
  }

  private send(expires: number, authorizeFrom?: SipResponse): void {
    if (this.state === 'stopped') return;
    this.clearTimer();
    this.state = 'registering';
    const to = this.target ?? this.next;
    let req: SipRequest;
    try {
      req = this.build(expires, to);
    } catch (err) {
      return this.fail(undefined, (err as Error).message);
    }
    if (authorizeFrom) {
      if (!this.digest?.authorize(req, authorizeFrom))
        return this.fail(authorizeFrom.status, 'challenge not answerable');
    } else {
      // A refresh answers the registrar's last challenge at once (RFC 7616 §3.6: nonce reuse).
      this.digest?.preauthorize(req);
    }
    this.current = req;
    const unanswered = (why: string): void => {
      if (req !== this.current) return;
      this.current = null;
      if (!this.failOver(why)) this.fail(undefined, why);
    };
    this.core
      .sendRequest(req, to, {
        onResponse: (res) => {
          if (req === this.current && res.status >= 200) this.onFinal(req, res);
        },
        onTimeout: () => unanswered('no response (Timer F)'),
        onTransportError: (err) => unanswered(`transport error: ${err.message}`),
      })
      .catch((err: Error) => unanswered(err.message));
  }

  private onFinal(req: SipRequest, res: SipResponse): void {
    if (this.state === 'stopped') return;
    this.current = null;
    this.lastStatus = res.status;
    if (res.status >= 200 && res.status < 300) return this.onRegistered(req, res);
    if ((res.status === 401 || res.status === 407) && this.digest) {
      // §22.2: a new REGISTER (next CSeq) with credentials; authorize() refuses a loop on one nonce.
      return this.send(this.requested, res);
    }
    if (res.status === 423) {
      // §10.2.8: Interval Too Brief — ask again for at least Min-Expires.
      const min = Number(res.headers.get('min-expires'));
      if (Number.isInteger(min) && min > this.requested && min <= MAX_MIN_EXPIRES_S) {
        this.requested = min;
        return this.send(this.requested);
      }
    }
    if (res.status === 503 && this.failOver('503')) return;
    this.fail(res.status, `${res.status} ${res.reason}`, retryAfterMs(res));
  }

  private onRegistered(req: SipRequest, res: SipResponse): void {
    const granted = grantedExpires(req, res, this.requested);
    if (granted <= 0) return this.fail(res.status, 'registrar granted no binding');
    const wasRegistered = this.state === 'registered';
    this.state = 'registered';
    this.granted = granted;
    this.bound = this.target;
    if (this.failures > 0 || !wasRegistered)
      this.core.logger.info(
        {
          trunk: this.trunk.name,
          expires: granted,
          after: this.failures,
          ...(this.bound ? { registrar: describe(this.bound) } : {}),
        },
        'trunk registered',
      );
    this.failures = 0;
    // §10.2.4: refresh before the binding expires.
    const refreshS = Math.max(granted / 2, granted - REFRESH_MARGIN_S);
    this.timer = this.core.clock.setTimeout(() => {
      this.timer = undefined;
      void this.round();
    }, refreshS * 1000);
  }

  private fail(status: number | undefined, why: string, retryAfter?: number): void {
    if (this.state === 'stopped') return;
    this.current = null;
    this.failures += 1;
    this.granted = 0;
    this.state = 'retrying';
    const min = this.timing.retryMinMs ?? DEFAULT_RETRY_MIN_MS;
    const max = this.timing.retryMaxMs ?? DEFAULT_RETRY_MAX_MS;
    const exp = Math.min(max, min * 2 ** Math.min(this.failures - 1, 20));
    // Jitter (50–100 %) so trunks that failed together do not retry together.
    const random = this.timing.random ?? Math.random;
    const delay = Math.max(retryAfter ?? 0, Math.round(exp * (0.5 + random() / 2)));
    this.core.logger.warn(
      { trunk: this.trunk.name, status, why, failures: this.failures, retryInMs: delay },
      'trunk registration failed',
    );
    this.timer = this.core.clock.setTimeout(() => {
      this.timer = undefined;
      void this.round();
    }, delay);
  }

  private clearTimer(): void {
    this.core.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** §10.2: Request-URI the registrar's domain; To and From the address of record; our Contact. */
  private build(expires: number, to: NextHop | Endpoint): SipRequest {
    const trunk = this.trunk;
    const params = new Map<string, string | null>();
    if ((trunk.transport ?? 'udp') === 'tcp') params.set('transport', 'tcp');
    const domain = trunk.fromDomain ?? trunk.host;
    const registrar: SipUri = {
      scheme: 'sip',
      user: null,
      password: null,
      host: hostForUri(domain),
      port: trunk.port ?? null,
      params,
      headers: new Map(),
    };
    const aor: SipUri = {
      ...registrar,
      user: trunk.username ?? 'partyline',
      port: null,
      params: new Map(),
    };
    const contact = this.core.contactFor(to);
    const contactUri = {
      ...(contact.uri as SipUri),
      user: trunk.username ?? (contact.uri as SipUri).user,
    };
    const h = new Headers();
    h.append('Max-Forwards', '70');
    h.append(
      'From',
      formatNameAddr({ displayName: null, uri: aor, params: new Map([['tag', this.fromTag]]) }),
    );
    h.append('To', formatNameAddr({ displayName: null, uri: aor, params: new Map() }));
    h.append('Call-ID', this.callId);
    h.append('CSeq', `${++this.cseq} REGISTER`);
    if (this.proxyRoute) h.append('Route', this.proxyRoute);
    h.append('Contact', formatNameAddr({ ...contact, uri: contactUri }));
    h.append('Expires', String(expires));
    h.append('Allow', this.core.allow);
    h.append('User-Agent', this.core.userAgent);
    return new SipRequest('REGISTER', registrar, h);
  }
}

function describe(e: Endpoint): string {
  return `${e.protocol}:${e.address}:${e.port}`;
}

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.protocol === b.protocol && a.address === b.address && a.port === b.port;
}

/**
 * §10.2.4: the expiry of our binding is the `expires` parameter of our
 * Contact in the 2xx, else its Expires header, else what we asked for.
 */
function grantedExpires(req: SipRequest, res: SipResponse, requested: number): number {
  let ours: string | undefined;
  try {
    const sent = req.contacts()[0];
    const sentUri = sent?.uri as SipUri | undefined;
    for (const c of res.contacts()) {
      const u = c.uri as SipUri;
      if (
        sentUri &&
        u.host?.toLowerCase() === sentUri.host.toLowerCase() &&
        (u.port ?? 5060) === (sentUri.port ?? 5060) &&
        u.user === sentUri.user
      ) {
        const e = c.params.get('expires');
        if (typeof e === 'string') ours = e;
      }
    }
  } catch {
    // An unreadable Contact in the 2xx: fall back to the Expires header.
  }
  const value = ours ?? res.headers.get('expires');
  const n = value === undefined ? requested : Number(value);
  return Number.isInteger(n) && n >= 0 ? n : requested;
}

/** §20.33: Retry-After seconds of a 503 / 5xx, in ms (capped at a day). */
function retryAfterMs(res: SipResponse): number | undefined {
  const v = res.headers.get('retry-after');
  if (v === undefined) return undefined;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, 86_400) * 1000 : undefined;
}
