/**
 * The live stream of calls (our extension, `GET /v1/events/stream`) as
 * Server-Sent Events: one hub follows the service's live changes for the
 * life of the API and fans them out to the connected clients of each
 * account.
 *
 * - A client starts with a `snapshot` of its account's live calls, then
 *   gets `call` (a call after a change, with the events it stored) and
 *   `talking` frames.
 * - Every frame has an id `<epoch>.<n>`; the last `replay` frames are
 *   kept, so a client that reconnects with `Last-Event-ID` gets what it
 *   missed. When that is no longer possible (another process, or too much
 *   happened) it gets a fresh snapshot instead: never a silent gap.
 * - A comment line every `heartbeatMs` keeps proxies and readers from
 *   timing the stream out while nothing happens.
 * - A client that reads too slowly is cut off once `maxBufferedBytes` wait
 *   unsent (it reconnects and resumes); it never grows the server's memory.
 * - With nobody watching (no client for `replayGraceMs`), the hub stops
 *   following the service, so changes cost nothing anywhere: a frame is a
 *   whole call with all its members, and building one on every change was
 *   10 % of the server's CPU in the API benchmark with no console open (and
 *   the update it is built from, 6 % of a `call` request's allocation). A
 *   resume from before such a gap gets a snapshot.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { systemClock, type Clock, type TimerHandle } from '../clock/index.js';
import type { ApiService, LiveCallView, LiveUpdate } from './service.js';
import { callJson, liveEventJson } from './views.js';

export interface EventStreamOptions {
  /** A comment line to every client this often; default 15 000 ms. */
  heartbeatMs?: number;
  /** Frames kept for Last-Event-ID resume; default 1000. */
  replay?: number;
  /** Unsent bytes a client may have before it is cut off; default 1 MiB. */
  maxBufferedBytes?: number;
  /**
   * How long after the last client left frames are still kept for its
   * resume; default 60 000 ms. Past it, and before anyone ever connected,
   * no frame is built at all.
   */
  replayGraceMs?: number;
  clock?: Clock;
}

/** Which calls a client follows: its account's, optionally one PHLO's or one node's. */
export interface StreamFilter {
  authId: string;
  phloId?: string;
  nodeId?: string;
}

interface Frame {
  n: number;
  authId: string;
  phloId: string;
  nodeId: string;
  text: string;
}

interface Client {
  filter: StreamFilter;
  res: ServerResponse;
}

/** The client's reconnection delay the stream asks for (EventSource's `retry:`), ms. */
const RETRY_MS = 2000;

export class EventHub {
  private readonly epoch = randomUUID().slice(0, 8);
  private n = 0;
  private readonly frames: Frame[] = [];
  private readonly clients = new Set<Client>();
  private readonly clock: Clock;
  private readonly heartbeatMs: number;
  private readonly replay: number;
  private readonly maxBufferedBytes: number;
  private heartbeat: TimerHandle | null = null;
  private readonly replayGraceMs: number;
  /**
   * The service's feed is followed only while someone watches and for the
   * replay grace after the last one left: unfollowed, the domain builds no
   * update at all (a change of a call with all its members, on every
   * change, was most of the allocation of a `call` request with no console
   * open). Null while not followed.
   */
  private unfollow: (() => void) | null = null;
  /** Ends the following once the grace after the last client has passed. */
  private graceTimer: TimerHandle | null = null;

  constructor(
    private readonly service: ApiService,
    private readonly logger: Logger,
    options: EventStreamOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.replay = Math.max(0, options.replay ?? 1000);
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
    this.replayGraceMs = options.replayGraceMs ?? 60_000;
  }

  get size(): number {
    return this.clients.size;
  }

  /**
   * Streams to `res` (its status and headers already sent) until the
   * client goes or the hub closes. `lastEventId`: the client's
   * Last-Event-ID header, if it reconnects.
   */
  open(res: ServerResponse, filter: StreamFilter, lastEventId: string | undefined): void {
    const client: Client = { filter, res };
    this.clients.add(client);
    this.follow();
    res.once('close', () => this.drop(client));
    this.write(client, `retry: ${RETRY_MS}\n\n`);
    const missed = this.missedSince(lastEventId);
    if (missed) for (const f of missed) this.send(client, f);
    else this.write(client, this.snapshot(filter));
    this.scheduleHeartbeat();
  }

  /** Ends every stream and stops following the service (the API is closing). */
  close(): void {
    this.stopFollowing();
    this.clock.clearTimeout(this.heartbeat ?? undefined);
    this.heartbeat = null;
    for (const c of [...this.clients]) {
      this.clients.delete(c);
      c.res.end();
    }
  }

  private follow(): void {
    this.clock.clearTimeout(this.graceTimer ?? undefined);
    this.graceTimer = null;
    this.unfollow ??= this.service.watchCalls((u) => this.publish(u));
  }

  /**
   * Stops following the feed. The frame numbers move on and the replay is
   * emptied, so a client that resumes from before this point gets a
   * snapshot: changes made while nobody followed are never a silent gap.
   */
  private stopFollowing(): void {
    this.clock.clearTimeout(this.graceTimer ?? undefined);
    this.graceTimer = null;
    if (!this.unfollow) return;
    this.unfollow();
    this.unfollow = null;
    this.n++;
    this.frames.length = 0;
  }

  private publish(u: LiveUpdate): void {
    const data =
      u.kind === 'call'
        ? { ...liveCallJson(u), events: u.events.map(liveEventJson) }
        : {
            call_id: u.callId,
            phlo_id: u.phloId,
            node_id: u.nodeId,
            member_id: u.memberId,
            talking: u.talking,
          };
    const n = ++this.n;
    const frame: Frame = {
      n,
      authId: u.authId,
      phloId: u.kind === 'call' ? u.call.phloId : u.phloId,
      nodeId: u.kind === 'call' ? u.call.nodeId : u.nodeId,
      text: `id: ${this.epoch}.${n}\nevent: ${u.kind}\ndata: ${JSON.stringify(data)}\n\n`,
    };
    if (this.replay > 0) {
      this.frames.push(frame);
      if (this.frames.length > this.replay) this.frames.shift();
    }
    for (const c of this.clients) this.send(c, frame);
  }

  /** The frames after `lastEventId`, or null when they cannot all be given (a snapshot then). */
  private missedSince(lastEventId: string | undefined): Frame[] | null {
    const m = /^([0-9a-f]{8})\.(\d+)$/.exec(lastEventId?.trim() ?? '');
    if (!m || m[1] !== this.epoch) return null;
    const seen = Number(m[2]);
    if (seen > this.n) return null;
    const oldest = this.frames[0]?.n ?? this.n + 1;
    if (seen + 1 < oldest) return null;
    return this.frames.filter((f) => f.n > seen);
  }

  private snapshot(filter: StreamFilter): string {
    const calls = this.service
      .liveCalls(filter.authId)
      .filter((c) => matches(filter, c.call.phloId, c.call.nodeId))
      .map(liveCallJson);
    return `id: ${this.epoch}.${this.n}\nevent: snapshot\ndata: ${JSON.stringify({ calls })}\n\n`;
  }

  private send(c: Client, f: Frame): void {
    if (f.authId === c.filter.authId && matches(c.filter, f.phloId, f.nodeId))
      this.write(c, f.text);
  }

  private write(c: Client, text: string): void {
    if (c.res.destroyed) return this.drop(c);
    if (c.res.writableLength + text.length > this.maxBufferedBytes) {
      this.logger.warn(
        { auth_id: c.filter.authId, unsent_bytes: c.res.writableLength },
        'a live stream client reads too slowly: cut off (it resumes when it reconnects)',
      );
      this.drop(c);
      c.res.destroy();
      return;
    }
    c.res.write(text);
  }

  private drop(c: Client): void {
    if (!this.clients.delete(c)) return;
    if (this.clients.size === 0) {
      this.clock.clearTimeout(this.heartbeat ?? undefined);
      this.heartbeat = null;
      this.graceTimer = this.clock.setTimeout(() => this.stopFollowing(), this.replayGraceMs);
    }
  }

  private scheduleHeartbeat(): void {
    if (this.heartbeat || this.clients.size === 0) return;
    this.heartbeat = this.clock.setTimeout(() => {
      this.heartbeat = null;
      for (const c of [...this.clients]) this.write(c, ': keep-alive\n\n');
      this.scheduleHeartbeat();
    }, this.heartbeatMs);
  }
}

function matches(filter: StreamFilter, phloId: string, nodeId: string): boolean {
  return (
    (filter.phloId === undefined || filter.phloId === phloId) &&
    (filter.nodeId === undefined || filter.nodeId === nodeId)
  );
}

function liveCallJson(c: LiveCallView) {
  return { ...callJson(c.call), talking: c.talking };
}
