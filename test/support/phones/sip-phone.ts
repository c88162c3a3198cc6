/**
 * A phone on 127.0.0.1 for end-to-end tests: one SIPp UAS process (SipPeer)
 * does its SIP, one RtpTestPeer is its audio. The SDP SIPp answers with
 * points at the RtpTestPeer's port (-key rtp_port), so RTP from the caller
 * reaches the peer, whose decoded audio is what the phone "hears"
 * (Goertzel). The peer sends to where the caller's offer said (SIPp reports
 * the offer) and, with `latch` (default), to wherever the caller's first
 * RTP came from (symmetric RTP, RFC 4961).
 *
 * SIPp tells the phone what happened with one `<log>` line per event
 * (offer, ringing, answered, re-INVITEs, hang-ups) in its -log_file, which
 * SIPp writes at once and in order, so the last event is there when SIPp
 * exits. The phone reads it every few milliseconds and acts on it: its tone
 * starts when it answers (or sends early media) and stops while the caller
 * holds it and when the call ends.
 *
 * TonePhone (phones you call by SIP URI) and Carrier (a trunk that takes
 * one phone number behind digest auth) are the two faces of this class.
 */
import { AssertionError } from 'node:assert';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RtpTestPeer } from '../rtp-peer.js';
import { SipPeer } from '../sipp.js';
import {
  HEARD_DB,
  LISTEN_WINDOW_MS,
  formatDb,
  isSilent,
  levelDb,
  rmsDb,
  waitFor,
} from './audio.js';
import { writeScenario } from './scenario.js';

export type PhoneBehaviour =
  'answer' | 'busy' | 'decline' | 'no-answer' | 'early-media' | 'hold-us';

export type PhoneCodec = 'PCMU' | 'PCMA';

/** What SIPp reports, one <log> line per event. */
export type PhoneEventKind =
  /** A carrier sent 401 with a digest challenge. */
  | 'challenged'
  /** A carrier's challenge was answered with credentials that did not verify (403 sent). */
  | 'auth-failed'
  /** The Request-URI user was not the phone's (404 sent): args [that user]. */
  | 'wrong-user'
  /** The INVITE's offer: args [ip, port, ...payload types]. */
  | 'offer'
  | 'ringing'
  /** 183 with SDP sent: early media flows. */
  | 'early'
  /** 200 with SDP sent. */
  | 'answered'
  /** A final refusal sent: args [status]. */
  | 'rejected'
  /** The caller's CANCEL was answered (200, 487, ACK). */
  | 'canceled'
  /** The caller re-INVITEd and we answered: args [offer direction, our direction, ip, port]. */
  | 'reinvite'
  /** Our sendonly re-INVITE (we hold the caller) was answered. */
  | 'hold'
  /** Our sendrecv re-INVITE (we resume) was answered. */
  | 'resume'
  | 'bye-received'
  | 'bye-sent';

export interface PhoneEvent {
  kind: PhoneEventKind;
  /** SIPp's call number, 1 for the first call this phone took. */
  call: number;
  args: string[];
  /** When the phone read it, on the RtpTestPeer's clock (see now()). */
  atMs: number;
}

/** Which received audio to measure. */
export interface ListenWindow {
  /** From this peer time (now() value); default: `windowMs` before now. */
  sinceMs?: number;
  /** Length, ms; default 500 (from sinceMs, or up to now). */
  windowMs?: number;
}

export interface SipPhoneOptions {
  behaviour: PhoneBehaviour;
  /** The tone the phone sends once answered (and during early media). */
  toneHz: number;
  /** Default PCMU. */
  codec?: PhoneCodec;
  /** Calls this phone takes before SIPp exits (-m); default 1. */
  calls?: number;
  /**
   * Ringing before the answer (answer, hold-us: 180 → 200; early-media:
   * 183 → 200; decline: 180 → 603). Defaults: 100, 100, 1000, 0 ms.
   */
  answerDelayMs?: number;
  /** answer, early-media, hold-us: send BYE this long after answering (after resuming, for hold-us). Default: never, wait for the caller's BYE. */
  hangupAfterMs?: number;
  /** hold-us: the sendonly re-INVITE this long after answering; default 1000 ms. */
  holdAfterMs?: number;
  /** hold-us: the sendrecv re-INVITE this long after the hold; default 1000 ms. */
  resumeAfterMs?: number;
  /** SIPp gives up (and fails) after this long; default 30 s. */
  timeoutSeconds?: number;
  /** Take the RTP destination from the first packet received (default true). */
  latch?: boolean;
  /** Tone amplitude (RtpTestPeer default −12 dBFS). */
  amplitude?: number;
}

/** What a phone is started with beyond SipPhoneOptions: who it is and whether it challenges. */
export interface PhoneIdentity {
  /** User part of its Contact (and SIP URI). */
  user: string;
  /** The Request-URI user SIPp insists on (ereg + strcmp, check_it). */
  expectedUser: string;
  /** Digest challenge (401, qop=auth) every INVITE must answer; SIPp's <verifyauth> checks it. */
  auth?: { username: string; password: string; realm: string; nonce: string };
}

/** What launch() started, for a subclass's constructor. */
export interface PhoneParts {
  sipp: SipPeer;
  peer: RtpTestPeer;
  dir: string;
  eventsPath: string;
  toneHz: number;
  codec: PhoneCodec;
  user: string;
  behaviour: PhoneBehaviour;
}

const SCENARIO_FILE: Record<PhoneBehaviour, string> = {
  answer: 'answer.xml',
  busy: 'busy.xml',
  decline: 'decline.xml',
  'no-answer': 'no-answer.xml',
  'early-media': 'early-media.xml',
  'hold-us': 'hold-us.xml',
};

const DEFAULT_ANSWER_DELAY_MS: Record<PhoneBehaviour, number> = {
  answer: 100,
  busy: 0,
  decline: 0,
  'no-answer': 0,
  'early-media': 1000,
  'hold-us': 100,
};

const PAYLOAD_TYPE: Record<PhoneCodec, number> = { PCMU: 0, PCMA: 8 };
const EVENT_POLL_MS = 10;
const DEFAULT_LISTEN_MS = 500;
const DEFAULT_WAIT_MS = 5_000;
const ENDS_CALL: ReadonlySet<PhoneEventKind> = new Set([
  'rejected',
  'canceled',
  'bye-received',
  'bye-sent',
  'auth-failed',
  'wrong-user',
]);

export abstract class SipPhone {
  readonly sipp: SipPeer;
  readonly peer: RtpTestPeer;
  readonly toneHz: number;
  readonly codec: PhoneCodec;
  readonly user: string;
  readonly behaviour: PhoneBehaviour;
  private readonly dir: string;
  private readonly eventsFd: number;
  private eventsOffset = 0;
  private partialLine = '';
  private readonly history: PhoneEvent[] = [];
  private readonly waiters = new Set<() => void>();
  /** Things the phone found wrong that SIPp does not check; passed() reports them. */
  private readonly problems: string[] = [];
  private readonly poller: NodeJS.Timeout;
  private sending = false;
  private stopping: Promise<void> | null = null;

  protected constructor(parts: PhoneParts) {
    this.sipp = parts.sipp;
    this.peer = parts.peer;
    this.toneHz = parts.toneHz;
    this.codec = parts.codec;
    this.user = parts.user;
    this.behaviour = parts.behaviour;
    this.dir = parts.dir;
    this.eventsFd = openSync(parts.eventsPath, 'r');
    this.poller = setInterval(() => this.readEvents(), EVENT_POLL_MS);
    // A phone a test forgot to stop must not keep the test process alive.
    this.poller.unref();
  }

  /** Starts the RtpTestPeer, then SIPp on the rendered scenario, and waits until SIPp listens. */
  protected static async launch(opts: SipPhoneOptions, who: PhoneIdentity): Promise<PhoneParts> {
    const codec = opts.codec ?? 'PCMU';
    const peer = await RtpTestPeer.open({
      codec,
      latch: opts.latch ?? true,
      amplitude: opts.amplitude,
    });
    const dir = mkdtempSync(join(tmpdir(), 'partyline-phone-'));
    const eventsPath = join(dir, 'events.log');
    writeFileSync(eventsPath, '');
    try {
      const scenario = writeScenario(dir, SCENARIO_FILE[opts.behaviour], timings(opts));
      const sipp = await SipPeer.start({
        scenario,
        calls: opts.calls ?? 1,
        timeoutSeconds: opts.timeoutSeconds ?? 30,
        keys: {
          phone_user: who.user,
          rtp_ip: '127.0.0.1',
          rtp_port: String(peer.port),
          rtp_pt: String(PAYLOAD_TYPE[codec]),
          rtp_codec: codec,
          auth_realm: who.auth?.realm ?? 'none',
          auth_nonce: who.auth?.nonce ?? 'none',
          auth_user: who.auth?.username ?? 'none',
          auth_password: who.auth?.password ?? 'none',
        },
        vars: { expected_user: who.expectedUser, need_auth: who.auth ? '1' : '0' },
        // The last -log_file wins over SipPeer's own: the <log> lines are the phone's events.
        args: ['-log_file', eventsPath],
      });
      return {
        sipp,
        peer,
        dir,
        eventsPath,
        toneHz: opts.toneHz,
        codec,
        user: who.user,
        behaviour: opts.behaviour,
      };
    } catch (err) {
      await peer.close();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** SIPp's SIP port on 127.0.0.1. */
  get port(): number {
    return this.sipp.port;
  }

  /** sip:USER@127.0.0.1:PORT */
  get uri(): string {
    return `sip:${this.user}@127.0.0.1:${this.port}`;
  }

  /** Time on the RtpTestPeer's clock, for ListenWindow.sinceMs. */
  now(): number {
    return this.peer.now();
  }

  /** Everything SIPp reported so far, in order. */
  events(): PhoneEvent[] {
    this.readEvents();
    return [...this.history];
  }

  /**
   * The first event of `kind` (of call `call`, if given), already seen or
   * still to come; rejects after `timeoutMs` with SIPp's logs.
   */
  waitEvent(
    kind: PhoneEventKind,
    opts: { call?: number; timeoutMs?: number } = {},
  ): Promise<PhoneEvent> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_WAIT_MS;
    const find = (): PhoneEvent | undefined =>
      this.history.find(
        (e) => e.kind === kind && (opts.call === undefined || e.call === opts.call),
      );
    const waiting = new Promise<PhoneEvent>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const check = (): void => {
        const found = find();
        if (!found) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      timer = setTimeout(() => {
        this.waiters.delete(check);
        const seen = this.history.map((e) => `${e.kind}#${e.call}`).join(', ') || 'none';
        reject(
          new Error(`phone ${this.user}: no '${kind}' within ${timeoutMs} ms (events: ${seen})`),
        );
      }, timeoutMs);
      this.waiters.add(check);
      this.readEvents();
      check();
    });
    return this.sipp.during(waiting);
  }

  // ---- what the phone hears ---------------------------------------------------

  /** Decoded audio received in `window` (default: the last 500 ms). */
  audio(window: ListenWindow = {}): Int16Array {
    const windowMs = window.windowMs ?? DEFAULT_LISTEN_MS;
    if (window.sinceMs === undefined) return this.peer.receivedSince(this.now() - windowMs);
    const until = window.windowMs === undefined ? Infinity : window.sinceMs + window.windowMs;
    return this.peer.receivedBetween(window.sinceMs, until);
  }

  /** Level (dBFS) of `freqHz` in what the phone heard in `window`. */
  levelDb(freqHz: number, window: ListenWindow = {}): number {
    return levelDb(this.audio(window), freqHz);
  }

  /** Whether the phone heard `freqHz` in `window` (level above HEARD_DB). */
  hears(freqHz: number, window: ListenWindow = {}): boolean {
    return this.levelDb(freqHz, window) >= HEARD_DB;
  }

  /** Resolves with the level once the phone hears `freqHz` (over the last 200 ms). */
  waitHearing(freqHz: number, timeoutMs = DEFAULT_WAIT_MS): Promise<number> {
    let last = -Infinity;
    return waitFor(
      () => {
        last = this.levelDb(freqHz, { windowMs: LISTEN_WINDOW_MS });
        return last >= HEARD_DB ? last : undefined;
      },
      timeoutMs,
      () => `phone ${this.user} does not hear ${freqHz} Hz: ${formatDb(last)}`,
    );
  }

  /**
   * Resolves once the phone hears nothing (or nothing at `freqHz`) over the
   * last 200 ms: no packets, or a level below SILENT_DB.
   */
  waitSilence(timeoutMs = DEFAULT_WAIT_MS, freqHz?: number): Promise<void> {
    let last = -Infinity;
    return waitFor(
      () => {
        const audio = this.audio({ windowMs: LISTEN_WINDOW_MS });
        last = freqHz === undefined ? rmsDb(audio) : levelDb(audio, freqHz);
        return isSilent(audio, freqHz) ? true : undefined;
      },
      timeoutMs,
      () =>
        `phone ${this.user} is not silent${freqHz === undefined ? '' : ` at ${freqHz} Hz`}: ${formatDb(last)}`,
    ).then(() => undefined);
  }

  // ---- verdict and cleanup --------------------------------------------------------

  /**
   * Waits for SIPp to finish its calls and asserts they all went through the
   * scenario (exit 0) and the phone saw nothing wrong itself (an offer
   * without its codec).
   */
  async passed(timeoutMs?: number): Promise<void> {
    try {
      await this.sipp.passed(timeoutMs);
    } catch (err) {
      if (err instanceof Error) err.message += `\n${this.describeEvents()}`;
      throw err;
    }
    if (this.problems.length > 0) {
      throw new AssertionError({
        message: `phone ${this.user}: ${this.problems.join('; ')}\n${this.describeEvents()}\n${this.sipp.logs()}`,
      });
    }
  }

  /** The events so far, one a line, for assertion messages. */
  describeEvents(): string {
    const lines = this.events().map((e) => `${e.kind} #${e.call} ${e.args.join(' ')}`.trimEnd());
    return `----- phone ${this.user} events -----\n${lines.join('\n') || '(none)'}`;
  }

  /** Kills SIPp by pid, closes the RTP socket, removes the temp files. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.poller);
      try {
        await this.sipp.stop();
      } finally {
        this.sending = false;
        await this.peer.close();
        closeSync(this.eventsFd);
        rmSync(this.dir, { recursive: true, force: true });
      }
    })();
    return this.stopping;
  }

  // ---- events --------------------------------------------------------------------

  private readEvents(): void {
    if (this.stopping) return;
    const chunk = Buffer.alloc(4096);
    let text = '';
    for (;;) {
      const n = readSync(this.eventsFd, chunk, 0, chunk.length, this.eventsOffset);
      if (n <= 0) break;
      this.eventsOffset += n;
      text += chunk.toString('latin1', 0, n);
    }
    if (text.length === 0) return;
    const lines = (this.partialLine + text).split('\n');
    this.partialLine = lines.pop() ?? '';
    for (const line of lines) {
      const [kind, call, ...args] = line.trim().split(/\s+/);
      if (!kind) continue;
      const event: PhoneEvent = {
        kind: kind as PhoneEventKind,
        call: Number(call),
        args,
        atMs: this.now(),
      };
      this.history.push(event);
      this.apply(event);
    }
    for (const w of [...this.waiters]) w();
  }

  /** What the phone does on each event: where to send, and when its tone plays. */
  private apply(event: PhoneEvent): void {
    switch (event.kind) {
      case 'offer': {
        const [ip, port, ...pts] = event.args;
        this.sendTo(ip, port);
        const ours = String(PAYLOAD_TYPE[this.codec]);
        if (!pts.includes(ours)) {
          this.problems.push(
            `call ${event.call}: the offer has no ${this.codec} (payload types: ${pts.join(' ') || 'none'})`,
          );
        }
        return;
      }
      case 'early':
      case 'answered':
        return this.setSending(true);
      case 'reinvite': {
        const [, ours, ip, port] = event.args;
        this.sendTo(ip, port);
        // RFC 3264 §6.1: we send unless our answer says recvonly or inactive.
        return this.setSending(ours === 'sendrecv' || ours === 'sendonly');
      }
      default:
        if (ENDS_CALL.has(event.kind)) this.setSending(false);
    }
  }

  private sendTo(ip: string | undefined, port: string | undefined): void {
    const p = Number(port);
    if (!ip || ip === '0.0.0.0' || !Number.isInteger(p) || p <= 0) return;
    this.peer.setRemote(p, ip);
    // A new offer is a new (or moved) stream: learn its source again.
    this.peer.relatch();
  }

  private setSending(on: boolean): void {
    if (on === this.sending || this.stopping) return;
    this.sending = on;
    if (on) this.peer.startTone(this.toneHz);
    else this.peer.stop();
  }
}

/** The {{blanks}} of every scenario. SIPp reads timeout="0" as "no timeout", so 0 ms becomes 1. */
function timings(opts: SipPhoneOptions): Record<string, number> {
  const atLeast1 = (ms: number): number => Math.max(1, Math.round(ms));
  return {
    answerDelayMs: atLeast1(opts.answerDelayMs ?? DEFAULT_ANSWER_DELAY_MS[opts.behaviour]),
    // 0: wait for the caller's BYE however long it takes.
    hangupAfterMs: opts.hangupAfterMs === undefined ? 0 : atLeast1(opts.hangupAfterMs),
    holdAfterMs: atLeast1(opts.holdAfterMs ?? 1000),
    resumeAfterMs: atLeast1(opts.resumeAfterMs ?? 1000),
    // Our requests in the dialog: hold-us sends two re-INVITEs (CSeq 1, 2) before its BYE.
    byeCseq: opts.behaviour === 'hold-us' ? 3 : 1,
  };
}
