/**
 * What the console knows of the calls, kept from the live stream's frames:
 * `snapshot` (the account's live calls), `call` (a call after a change,
 * with the events it stored) and `talking`. No DOM: unit-tested in Node.
 */
import type { SseFrame } from './sse.js';

export interface BoardMember {
  member_id: string;
  address: string;
  role: 'agent' | 'customer' | 'supervisor';
  state: 'dialing' | 'ringing' | 'connected' | 'on_hold' | 'disconnected' | 'failed';
  muted: boolean;
  held: boolean;
  joined_on: string | null;
  left_on: string | null;
  hangup_cause: string | null;
}

export interface BoardEvent {
  seq?: number;
  at: string;
  type: string;
  member_id: string | null;
  data: Record<string, unknown>;
}

export interface BoardCall {
  call_id: string;
  phlo_id: string;
  node_id: string;
  state: 'initialized' | 'active' | 'ended';
  created_on: string;
  started_on: string | null;
  ended_on: string | null;
  end_reason: string | null;
  members: BoardMember[];
  /** Ids of the members talking now. */
  talking: Set<string>;
  /** Its history as far as the console has seen it (the stored history once loaded). */
  events: BoardEvent[];
}

type WireCall = Omit<BoardCall, 'talking' | 'events'> & {
  talking: string[];
  events?: BoardEvent[];
};

/** Which call a frame changed: one call's id, 'all' (a snapshot), or null (nothing). */
export type BoardChange = string | 'all' | null;

export class CallBoard {
  private readonly calls = new Map<string, BoardCall>();

  apply(frame: SseFrame): BoardChange {
    const data = JSON.parse(frame.data) as Record<string, unknown>;
    if (frame.event === 'snapshot') {
      const live = new Set<string>();
      for (const c of data.calls as WireCall[]) {
        live.add(c.call_id);
        this.put(c);
      }
      // Calls live before the snapshot and not in it ended while the stream was down.
      for (const c of this.calls.values())
        if (!live.has(c.call_id) && c.state !== 'ended') c.state = 'ended';
      return 'all';
    }
    if (frame.event === 'call') return this.put(data as unknown as WireCall).call_id;
    if (frame.event === 'talking') {
      const call = this.calls.get(String(data.call_id));
      if (!call) return null;
      const member = String(data.member_id);
      if (data.talking === true) call.talking.add(member);
      else call.talking.delete(member);
      return call.call_id;
    }
    return null;
  }

  get(callId: string): BoardCall | undefined {
    return this.calls.get(callId);
  }

  /** The calls of a node, newest first. */
  callsOf(phloId: string, nodeId: string): BoardCall[] {
    return [...this.calls.values()]
      .filter((c) => c.phlo_id === phloId && c.node_id === nodeId)
      .sort((a, b) => (a.created_on < b.created_on ? 1 : -1));
  }

  /** Replaces what is known of a call's history with the stored one (it has seqs), keeping newer live events. */
  setHistory(callId: string, history: BoardEvent[]): void {
    const call = this.calls.get(callId);
    if (!call) return;
    const seen = new Set(history.map(eventKey));
    call.events = [...history, ...call.events.filter((e) => !seen.has(eventKey(e)))];
  }

  private put(c: WireCall): BoardCall {
    const known = this.calls.get(c.call_id);
    const call: BoardCall = {
      ...c,
      talking: new Set(c.talking),
      events: [...(known?.events ?? []), ...(c.events ?? [])],
    };
    this.calls.set(c.call_id, call);
    return call;
  }
}

function eventKey(e: BoardEvent): string {
  return `${e.at}|${e.type}|${e.member_id ?? ''}`;
}

/** A Plivo-format time (`2018-11-14 04:41:31.827796+00:00`) as a Date. */
export function parsePlivoTime(s: string): Date {
  return new Date(s.replace(' ', 'T').replace(/(\.\d{3})\d*/, '$1'));
}

/** `m:ss` (or `h:mm:ss`) from `since` to `now`. */
export function elapsed(since: string, now: Date): string {
  const total = Math.max(0, Math.floor((now.getTime() - parsePlivoTime(since).getTime()) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Members still in the call (or on their way): what the console lists first. */
export function isLiveMember(m: BoardMember): boolean {
  return m.state !== 'disconnected' && m.state !== 'failed';
}
