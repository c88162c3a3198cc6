/**
 * Live changes of calls, in process: every committed change of a live call
 * (its record and members as they are now, and the events just stored) and
 * every change of a member's talking indicator. The domain publishes, the
 * HTTP layer streams them (Server-Sent Events) to consoles. Listeners run
 * synchronously after the commit, so they see changes in stored order; one
 * that throws is logged and the others still run.
 */
import type { Logger } from 'pino';
import type { CallRecord, MemberRecord } from '../store/index.js';

/** An event as just stored (its seq is the store's; read the history for it). */
export interface FeedEvent {
  at: string;
  type: string;
  memberId: string | null;
  data: Record<string, unknown>;
}

/** A call as it is after a change, with the events that change stored. */
export interface CallChange {
  kind: 'call';
  call: CallRecord;
  members: MemberRecord[];
  /** Members shown talking now. */
  talking: string[];
  events: FeedEvent[];
}

/** A member's talking indicator changed (throttled: see talking.ts). */
export interface TalkingChange {
  kind: 'talking';
  call: Pick<CallRecord, 'callId' | 'authId' | 'phloId' | 'nodeId'>;
  memberId: string;
  talking: boolean;
}

export type CallFeedUpdate = CallChange | TalkingChange;

export class CallFeed {
  private readonly listeners = new Set<(update: CallFeedUpdate) => void>();

  constructor(private readonly logger: Logger) {}

  /** Returns the unsubscribe. */
  subscribe(listener: (update: CallFeedUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  publish(update: CallFeedUpdate): void {
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch (err) {
        this.logger.error({ err, call_id: update.call.callId }, 'a call feed listener threw');
      }
    }
  }
}
