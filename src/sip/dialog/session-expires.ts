/**
 * Session timers (RFC 4028): the negotiation of the session interval and
 * of who refreshes it, for both sides of an INVITE or UPDATE. Pure — the
 * user agent arms the timers (ua/session-timer.ts) with what this decides.
 *
 * The refresher parameter is relative to the transaction that carries it
 * (§4: "uac" is the sender of that request), so the results are turned into
 * `weRefresh` here, once, and never compared as strings by the callers.
 */
import type { SipRequest, SipResponse } from '../message/index.js';

/** §4: Min-SE "MUST NOT be less than 90 seconds". */
export const MIN_SE_FLOOR_S = 90;
/** §4: "a recommended value of 1800 seconds" for Session-Expires. */
export const DEFAULT_SESSION_EXPIRES_S = 1800;
/** The option tag (§3). */
export const TIMER_TAG = 'timer';

export type Refresher = 'uac' | 'uas';

/** Our side of the negotiation: the interval we offer and the smallest we accept. */
export interface SessionTimerPolicy {
  /** Session-Expires we offer and the largest interval we grant, seconds. */
  expiresS: number;
  /** Min-SE: the smallest interval we accept, seconds (≥ 90). */
  minSeS: number;
}

/** A negotiated session timer, seen from our side. */
export interface SessionInterval {
  intervalS: number;
  weRefresh: boolean;
}

export interface SessionExpiresValue {
  deltaS: number;
  refresher: Refresher | null;
}

/** `Session-Expires: delta-seconds *(;se-params)` (§4); null when absent or malformed. */
export function parseSessionExpires(value: string | undefined): SessionExpiresValue | null {
  if (value === undefined) return null;
  const [delta, ...params] = value.split(';');
  const deltaS = parseDelta(delta);
  if (deltaS === null) return null;
  let refresher: Refresher | null = null;
  for (const p of params) {
    const [name, v] = p.split('=', 2).map((s) => s.trim().toLowerCase());
    if (name === 'refresher' && (v === 'uac' || v === 'uas')) refresher = v;
  }
  return { deltaS, refresher };
}

/** `Min-SE: delta-seconds` (§5); null when absent or malformed. */
export function parseMinSe(value: string | undefined): number | null {
  return value === undefined ? null : parseDelta(value.split(';')[0]);
}

function parseDelta(text: string | undefined): number | null {
  const t = text?.trim() ?? '';
  if (!/^\d{1,10}$/.test(t)) return null;
  const n = Number(t);
  return n > 0 ? n : null;
}

export function hasOptionTag(msg: SipRequest | SipResponse, header: string, tag: string): boolean {
  return msg.headers.values(header).some((t) => t.trim().toLowerCase() === tag);
}

export type UasTimerDecision =
  /** §8.1 / §9: the interval asked for is below our Min-SE: 422 with ours. */
  | { kind: 'too-small'; minSeS: number }
  | { kind: 'interval'; intervalS: number; refresher: Refresher; weRefresh: boolean };

/**
 * §9: what a UAS puts in its 2xx to an INVITE or UPDATE. An asked-for
 * interval below our Min-SE is refused (422); otherwise we may lower it to
 * our own maximum but never below either side's Min-SE. A refresher the
 * request named is kept; else the UAC refreshes when it supports timers
 * and we do when it does not (§9: "MUST be uas" then) — so every call,
 * with any peer, has a side that refreshes and a dead peer is noticed.
 */
export function uasSessionTimer(req: SipRequest, policy: SessionTimerPolicy): UasTimerDecision {
  const asked = parseSessionExpires(req.headers.get('session-expires'));
  const theirMin = Math.max(
    parseMinSe(req.headers.get('min-se')) ?? MIN_SE_FLOOR_S,
    MIN_SE_FLOOR_S,
  );
  const uacSupports =
    hasOptionTag(req, 'supported', TIMER_TAG) || hasOptionTag(req, 'require', TIMER_TAG);
  let intervalS: number;
  let refresher: Refresher;
  if (asked) {
    if (asked.deltaS < policy.minSeS) return { kind: 'too-small', minSeS: policy.minSeS };
    intervalS = Math.min(asked.deltaS, Math.max(policy.expiresS, theirMin, policy.minSeS));
    refresher = uacSupports ? (asked.refresher ?? 'uac') : 'uas';
  } else {
    intervalS = Math.max(policy.expiresS, theirMin, policy.minSeS);
    refresher = uacSupports ? 'uac' : 'uas';
  }
  return { kind: 'interval', intervalS, refresher, weRefresh: refresher === 'uas' };
}

/**
 * §7.2: the UAC side, from the 2xx to our INVITE or UPDATE. No
 * Session-Expires in it means no session timer was agreed (null). A 2xx
 * that names no refresher leaves it to us, the UAC (§7.2).
 */
export function uacSessionTimer(res: SipResponse): SessionInterval | null {
  const se = parseSessionExpires(res.headers.get('session-expires'));
  if (!se) return null;
  return { intervalS: se.deltaS, weRefresh: (se.refresher ?? 'uac') === 'uac' };
}

/** §7.1 / §10: Supported, Session-Expires and Min-SE on an INVITE or UPDATE we send. */
export function offerSessionTimer(
  req: SipRequest,
  intervalS: number,
  minSeS: number,
  refresher: Refresher | null,
): void {
  req.headers.append('Supported', TIMER_TAG);
  req.headers.append(
    'Session-Expires',
    refresher ? `${intervalS};refresher=${refresher}` : String(intervalS),
  );
  req.headers.append('Min-SE', String(minSeS));
}

/** §9: Session-Expires (and Require: timer when the UAC is to refresh) on our 2xx. */
export function grantSessionTimer(res: SipResponse, intervalS: number, refresher: Refresher): void {
  if (refresher === 'uac') res.headers.append('Require', TIMER_TAG);
  res.headers.append('Supported', TIMER_TAG);
  res.headers.append('Session-Expires', `${intervalS};refresher=${refresher}`);
}

/** §6: the 422 that tells a UAC the smallest interval we take. */
export function minSeOf(res: SipResponse): number | null {
  return parseMinSe(res.headers.get('min-se'));
}
