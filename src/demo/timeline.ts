/**
 * The live timeline: the call's events as the SDK reads them
 * (`pollCallEvents` over `multiPartyCall(node).getCall(id)`), one line per
 * member state change (dialing, ringing, connected, on_hold, disconnected …)
 * and per call or transfer event, stamped with the server's time; and the
 * members' current states, which the script waits on.
 */
import {
  pollCallEvents,
  type CallDetail,
  type CallEvent,
  type CallMember,
  type MultiPartyCall,
} from '@partyline/client';

export interface MemberHistory {
  memberId: string;
  address: string;
  role: string;
  /** Every state it went through, with the server's time of each. */
  states: { state: string; at: string }[];
}

/** The member state each event leads to. */
const STATE_OF: Record<string, string> = {
  'member.dialing': 'dialing',
  'member.ringing': 'ringing',
  'member.early-media': 'early_media',
  'member.connected': 'connected',
  'member.held': 'on_hold',
  'member.unheld': 'connected',
  'member.disconnected': 'disconnected',
  'member.failed': 'failed',
};

/** Polling fast while the demo acts: a state change shows within a tenth of a second or so. */
const POLL_MIN_MS = 100;
const POLL_MAX_MS = 250;

export class Timeline {
  /** By member id, in the order they appeared. */
  readonly members = new Map<string, MemberHistory>();
  readonly events: CallEvent[] = [];
  private last: CallDetail | null = null;
  private readonly waiters = new Set<() => void>();
  private readonly abort = new AbortController();
  private failure: Error | null = null;
  /** Resolves when the call has ended and its last events are in (or the timeline was stopped). */
  readonly finished: Promise<void>;

  constructor(
    private readonly node: MultiPartyCall,
    readonly callId: string,
    private readonly print: (line: string) => void,
    /** A short name for an address (the phone's part), when there is one. */
    private readonly nameOf: (address: string) => string | undefined,
  ) {
    this.finished = this.follow();
  }

  /** The call as last read. */
  get call(): CallDetail | null {
    return this.last;
  }

  /** The current state of the latest member with this address (undefined before it appears). */
  stateOf(address: string): string | undefined {
    const member = [...this.members.values()].reverse().find((m) => m.address === address);
    return member?.states.at(-1)?.state;
  }

  /** Resolves once `check` holds on the timeline; rejects after `timeoutMs` with `what`. */
  until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const probe = (): void => {
        if (this.failure) return settle(() => reject(this.failure!));
        if (check()) settle(resolve);
      };
      const timer = setTimeout(
        () =>
          settle(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))),
        timeoutMs,
      );
      const settle = (fn: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(probe);
        fn();
      };
      this.waiters.add(probe);
      probe();
    });
  }

  stop(): void {
    this.abort.abort();
  }

  private async follow(): Promise<void> {
    const read = async (): Promise<CallDetail> => {
      const call = await this.node.getCall(this.callId);
      this.last = call;
      for (const m of call.members) this.noteMember(m);
      return call;
    };
    try {
      for await (const event of pollCallEvents(read, {
        minIntervalMs: POLL_MIN_MS,
        maxIntervalMs: POLL_MAX_MS,
        signal: this.abort.signal,
      })) {
        this.events.push(event);
        this.show(event);
        this.wake();
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
    }
    this.wake();
  }

  private noteMember(m: CallMember): void {
    if (!this.members.has(m.memberId))
      this.members.set(m.memberId, {
        memberId: m.memberId,
        address: m.address,
        role: m.role,
        states: [],
      });
  }

  private show(event: CallEvent): void {
    const state = STATE_OF[event.type];
    const member = event.memberId ? this.members.get(event.memberId) : undefined;
    if (state && member) {
      member.states.push({ state, at: event.at });
      const who = this.nameOf(member.address) ?? member.role;
      const detail = describe(event);
      this.print(
        `${clockTime(event.at)}  ${who.padEnd(9)} ${state.padEnd(13)}${member.address}${detail}`,
      );
      return;
    }
    if (event.type.startsWith('call.') || event.type.startsWith('transfer.'))
      this.print(`${clockTime(event.at)}  ${'—'.padEnd(9)} ${event.type}${describe(event)}`);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** "2026-12-02 04:31:02.117384+00:00" → "04:31:02.117". */
export function clockTime(at: string): string {
  const m = /(\d\d:\d\d:\d\d)(\.\d{3})?/.exec(at);
  return m ? `${m[1]}${m[2] ?? '.000'}` : at;
}

function describe(event: CallEvent): string {
  const d = event.data;
  const parts: string[] = [];
  if (typeof d.by === 'string') parts.push(`by ${d.by}`);
  if (typeof d.cause === 'string') parts.push(d.cause);
  if (typeof d.reason === 'string' && event.type.startsWith('call.')) parts.push(d.reason);
  return parts.length ? `  (${parts.join(', ')})` : '';
}
