/**
 * The telephony engine the domain drives: one SIP user agent, one RTP port
 * range, one mixer clock, and the legs and conferences made from them.
 * `dial(address, conference, options)` places a call that joins the
 * conference when it answers; incoming calls arrive as `incoming` legs.
 */
import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from '../clock/index.js';
import {
  MixerClock,
  PortPool,
  Room,
  RtpStream,
  openSourceOrSilence,
  type CodecName,
  type MixerClockStats,
  type PlayoutJitterOptions,
} from '../media/index.js';
import {
  RoutingError,
  UserAgent,
  routeAddress,
  type RegistrationStatus,
  type Route,
  type UserAgentOptions,
} from '../sip/ua/index.js';
import { Conference } from './conference.js';
import { EngineError } from './errors.js';
import { IncomingLeg } from './incoming-leg.js';
import type { Leg, LegContext } from './leg.js';
import { OutgoingLeg } from './outgoing-leg.js';
import type { DialOptions } from './types.js';

/** An explicit URI scheme (RFC 3986 §3.1), as `sip:` in `sip:host`. */
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

export interface EngineOptions {
  /** The SIP user agent's options (its clock and logger are the engine's). */
  sip: Omit<UserAgentOptions, 'clock' | 'logger'>;
  media: {
    /** IP literal our RTP binds to and our SDP advertises. */
    address: string;
    portMin: number;
    portMax: number;
    jitter?: PlayoutJitterOptions;
    /** A connected leg whose peer sends no RTP nor RTCP this long ends (RtpStreamOptions). */
    inactivityTimeoutMs?: number;
    /** The same while either side holds (the peer sends RTCP only). */
    holdTimeoutMs?: number;
  };
  /** Where audio fetched from URLs is cached. */
  audioCacheDir: string;
  /** Audio URLs may reach loopback and private addresses (default: public ones only). */
  allowPrivateAudioUrls?: boolean;
  codecs?: CodecName[];
  clock?: Clock;
  logger?: Logger;
}

export interface EngineEvents {
  /** A call to us: ring(), answer(conference) or reject() it. Without a listener it gets 480. */
  incoming: [IncomingLeg];
}

export interface EngineStats {
  legs: number;
  conferences: number;
  sipCalls: number;
  mixer: MixerClockStats;
  /** Trunk registrations (RFC 3261 §10.2), one per trunk with `register`. */
  registrations: RegistrationStatus[];
  /** The SIP stack's own counters, for /metrics: what an operator watches under load or attack. */
  sip: SipStats;
}

export interface SipStats {
  /** Messages received, sent, malformed, dropped; send errors; refused and open TCP connections. */
  transport: Record<string, number>;
  /** Transactions alive now (RFC 3261 §17), client and server side. */
  transactions: { client: number; server: number };
  /** Responses sent without a transaction (§8.2.7), of which 503s shed for load. */
  stateless: number;
  shed: number;
  /** Bugs that bad input met, kept from crashing the process (transport and transaction layers): the target is 0. */
  internalErrors: number;
}

export class Engine extends EventEmitter<EngineEvents> {
  private readonly legs = new Set<Leg>();
  private readonly conferences = new Map<string, Conference>();
  private readonly ctx: LegContext;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly ua: UserAgent,
    private readonly pool: PortPool,
    private readonly mixerClock: MixerClock,
    private readonly opts: EngineOptions,
    private readonly logger: Logger,
  ) {
    super();
    const clock = opts.clock ?? systemClock;
    this.ctx = {
      pool,
      mediaAddress: opts.media.address,
      codecs: opts.codecs ?? ['PCMU', 'PCMA'],
      logger,
      openStream: () =>
        RtpStream.open({
          pool,
          localAddress: opts.media.address,
          clock,
          logger,
          jitter: opts.media.jitter,
          inactivityTimeoutMs: opts.media.inactivityTimeoutMs,
          holdTimeoutMs: opts.media.holdTimeoutMs,
        }),
      forget: (leg) => this.legs.delete(leg),
    };
    ua.on('invite', (call) => {
      const leg = new IncomingLeg(this.ctx, call);
      this.legs.add(leg);
      if (this.listenerCount('incoming') === 0) return leg.reject(480, 'Not taking calls');
      this.emit('incoming', leg);
    });
  }

  static async start(opts: EngineOptions): Promise<Engine> {
    const logger = opts.logger ?? pino({ level: 'silent' });
    const pool = new PortPool({
      minPort: opts.media.portMin,
      maxPort: opts.media.portMax,
      bindAddress: opts.media.address,
      logger,
    });
    const ua = await UserAgent.create({ ...opts.sip, clock: opts.clock, logger });
    const mixerClock = new MixerClock({ clock: opts.clock, logger });
    return new Engine(ua, pool, mixerClock, opts, logger);
  }

  /**
   * Throws EngineError('bad-address') when `address` cannot be dialled: not
   * a SIP URI nor a phone number, or a number no trunk takes.
   */
  checkAddress(address: string): void {
    let route: Route;
    try {
      route = routeAddress(address, this.opts.sip.trunks ?? []);
    } catch (err) {
      if (err instanceof RoutingError) throw new EngineError('bad-address', err.message);
      throw err;
    }
    // The router reads any bare word as a host ("abc" → sip:abc). A SIP
    // address has its scheme (RFC 3261 §19.1) or at least user@host; a lone
    // word is neither that nor a number, and dialling it would only fail later.
    const text = address.trim();
    if (route.trunk === undefined && !SCHEME.test(text) && !text.includes('@')) {
      throw new EngineError(
        'bad-address',
        `Not a SIP address or phone number: "${address}" (give sip:user@host, user@host or a number)`,
      );
    }
  }

  /** A conference (mixer room) for one live call. */
  createConference(id: string): Conference {
    if (this.closing) throw new EngineError('closed', 'the engine is shutting down');
    if (this.conferences.has(id))
      throw new EngineError('duplicate-conference', `a conference ${id} is already open`);
    const room = new Room({ id, mixerClock: this.mixerClock, logger: this.logger });
    const conference = new Conference(
      id,
      room,
      (spec, { loop }) =>
        openSourceOrSilence(spec, {
          cacheDir: this.opts.audioCacheDir,
          loop,
          logger: this.logger,
          allowPrivateNetworks: this.opts.allowPrivateAudioUrls === true,
        }).then((r) => r.source),
      this.logger,
      (c) => {
        if (this.conferences.get(c.id) === c) this.conferences.delete(c.id);
      },
    );
    this.conferences.set(id, conference);
    return conference;
  }

  /**
   * Dials `address`; the leg joins `conference` when it answers. Throws
   * EngineError before anything is sent when the address cannot be routed
   * or the engine is closing; every later outcome is an event of the leg.
   */
  dial(address: string, conference: Conference | null, options: DialOptions = {}): OutgoingLeg {
    if (this.closing) throw new EngineError('closed', 'the engine is shutting down');
    this.checkAddress(address);
    const leg = new OutgoingLeg(this.ctx, this.ua, address, conference, options);
    this.legs.add(leg);
    void leg.start();
    return leg;
  }

  private sipStats(): SipStats {
    const { internalErrors: transportErrors, ...transport } = this.ua.transport.stats();
    const tx = this.ua.transactions.stats();
    return {
      transport,
      transactions: this.ua.transactions.size(),
      stateless: tx.stateless,
      shed: tx.shed,
      internalErrors: (transportErrors ?? 0) + tx.internalErrors,
    };
  }

  stats(): EngineStats {
    return {
      legs: this.legs.size,
      conferences: this.conferences.size,
      sipCalls: this.ua.callCount(),
      mixer: this.mixerClock.stats(),
      registrations: this.ua.registrationStatus(),
      sip: this.sipStats(),
    };
  }

  /** SIP listeners (protocol, address, port). */
  bindings(): ReturnType<UserAgent['bindings']> {
    return this.ua.bindings();
  }

  /**
   * Hangs up every leg (BYE when connected, CANCEL while ringing out, 480 to
   * callers not answered), waits for those to go out (bounded by the UA's
   * grace period), then closes every room and the mixer clock. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const leg of [...this.legs]) leg.hangup('shutdown');
      await this.ua.close();
      await Promise.all([...this.conferences.values()].map((c) => c.close()));
      this.mixerClock.close();
    })();
    return this.closing;
  }
}
