/**
 * A virtual phone: a SIP user agent of its own (src/sip/ua) on 127.0.0.1
 * that rings and answers every call made to it, and then speaks with its
 * voice and listens. Built on Partyline's SIP and media stack only, it is a
 * real SIP peer for the call server: the demo's agent, customer and third
 * user are three of these, and a person can dial them too.
 *
 * Audio runs on a MixerClock (drift-free 20 ms ticks): each tick sends one
 * frame of the voice on every live call and adds what each call received
 * into one "heard" track, the phone's ear, which hearing checks read.
 */
import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import { systemClock } from '../clock/index.js';
import { FRAME_SAMPLES, MixerClock, type MixerTickable, type PortPool } from '../media/index.js';
import { UserAgent, type IncomingCall } from '../sip/ua/index.js';
import { HeardAudio } from './hearing.js';
import { PhoneCall } from './phone-call.js';
import type { Voice } from './voice.js';

export interface VirtualPhoneOptions {
  /** User part of its SIP URI (sip:NAME@address:port). */
  name: string;
  voice: Voice;
  /** RTP ports for its calls. */
  pool: PortPool;
  /** Default 127.0.0.1. */
  address?: string;
  /** SIP port; default 0 (the kernel picks one). */
  port?: number;
  /** How long it rings (180) before answering, ms; default 300. */
  answerAfterMs?: number;
  /** Sends silence instead of its voice: a phone nobody can hear, to see a failed hearing check. */
  silent?: boolean;
  /** The 20 ms clock; default one of its own. */
  clock?: MixerClock;
  logger?: Logger;
}

export interface VirtualPhoneEvents {
  /** A call was answered and its media started. */
  answered: [PhoneCall];
  /** A call ended (by either side). */
  ended: [PhoneCall];
}

const DEFAULT_ANSWER_AFTER_MS = 300;

export class VirtualPhone extends EventEmitter<VirtualPhoneEvents> implements MixerTickable {
  readonly name: string;
  readonly voice: Voice;
  /** sip:name@address:port */
  readonly uri: string;
  private readonly calls = new Set<PhoneCall>();
  private readonly ringing = new Set<NodeJS.Timeout>();
  private readonly heard = new HeardAudio();
  private readonly voiceFrame = new Int16Array(FRAME_SAMPLES);
  private readonly callFrame = new Int16Array(FRAME_SAMPLES);
  private readonly mixFrame = new Int16Array(FRAME_SAMPLES);
  private readonly ownClock: boolean;
  private closed = false;

  private constructor(
    private readonly ua: UserAgent,
    private readonly opts: VirtualPhoneOptions,
    private readonly clock: MixerClock,
    private readonly logger: Logger,
  ) {
    super();
    this.name = opts.name;
    this.voice = opts.voice;
    const binding = ua.bindings()[0];
    this.uri = `sip:${opts.name}@${binding.address}:${binding.port}`;
    this.ownClock = opts.clock === undefined;
    ua.on('invite', (call) => this.ring(call));
    clock.add(this);
  }

  static async start(opts: VirtualPhoneOptions): Promise<VirtualPhone> {
    const logger = (opts.logger ?? pino({ level: 'silent' })).child({ phone: opts.name });
    const ua = await UserAgent.create({
      listen: [{ protocol: 'udp', address: opts.address ?? '127.0.0.1', port: opts.port ?? 0 }],
      localUser: opts.name,
      userAgent: `Partyline virtual phone (${opts.name})`,
      logger,
    });
    return new VirtualPhone(ua, opts, opts.clock ?? new MixerClock({ logger }), logger);
  }

  /** Whether it is in at least one call. */
  get inCall(): boolean {
    return this.calls.size > 0;
  }

  /** Level (dBFS) of `freqHz` in what it heard over the last `windowMs` (default 400). */
  levelDb(freqHz: number, windowMs?: number): number {
    return this.heard.levelDb(freqHz, systemClock.now(), windowMs);
  }

  /** Hangs up every call it is in (BYE), as a person putting the phone down. */
  hangup(): void {
    for (const call of this.calls) call.hangup();
  }

  /** Stops answering, hangs up, closes its sockets. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.ringing) clearTimeout(t);
    this.ringing.clear();
    this.clock.remove(this);
    if (this.ownClock) this.clock.close();
    await this.ua.close();
    await Promise.all([...this.calls].map((c) => c.close()));
    this.calls.clear();
  }

  tick(nowMs: number): void {
    this.mixFrame.fill(0);
    for (const call of this.calls) {
      call.exchange(this.voiceFrame, this.callFrame, nowMs, this.opts.silent === true);
      for (let i = 0; i < FRAME_SAMPLES; i++)
        this.mixFrame[i] = Math.max(-32768, Math.min(32767, this.mixFrame[i] + this.callFrame[i]));
    }
    this.heard.push(this.mixFrame, nowMs);
  }

  private ring(sip: IncomingCall): void {
    if (this.closed) return sip.reject(480);
    sip.ring();
    const timer = setTimeout(() => {
      this.ringing.delete(timer);
      void this.answer(sip).catch((err: unknown) => {
        this.logger.error({ err }, 'answer failed');
        sip.hangup();
      });
    }, this.opts.answerAfterMs ?? DEFAULT_ANSWER_AFTER_MS);
    this.ringing.add(timer);
    sip.once('failed', () => {
      clearTimeout(timer);
      this.ringing.delete(timer);
    });
  }

  private async answer(sip: IncomingCall): Promise<void> {
    if (this.closed || sip.state === 'terminated') return;
    const call = await PhoneCall.answer(sip, this.voice.open(), {
      pool: this.opts.pool,
      address: this.opts.address ?? '127.0.0.1',
      logger: this.logger,
    });
    if (!call) return;
    this.calls.add(call);
    sip.once('ended', () => {
      this.calls.delete(call);
      this.emit('ended', call);
    });
    this.emit('answered', call);
  }
}
