/**
 * Following redirects (RFC 3261 §8.1.3.4): the Contacts of a 3xx are new
 * targets for the same call, tried in order of their q-value (§20.10), one
 * at a time (a sequential search, as a proxy does in §16.6), each routed by
 * the same rules as an address the application dialled. The search is
 * bounded (MAX_REDIRECT_HOPS INVITEs after the first) and never revisits a
 * target, so a redirect loop ends.
 */
import { formatUri, type NameAddr, type SipResponse, type Uri } from '../message/index.js';
import type { Route } from './routing.js';

/** INVITEs a call sends to redirect targets, at most; then it fails with the last final response. */
export const MAX_REDIRECT_HOPS = 5;
/** Contacts taken from one 3xx: a carrier gives one or two. */
const MAX_CONTACTS = 8;

/**
 * Which 3xx are redirects to follow: 300 Multiple Choices, 301 Moved
 * Permanently, 302 Moved Temporarily. 305 Use Proxy is not followed (RFC
 * 3261 §21.3.4 leaves it to the UAC; an attacker-chosen proxy would see
 * and could answer the whole call) nor 380 Alternative Service (its body
 * says what to do, not a Contact).
 */
export function isFollowedRedirect(status: number): boolean {
  return status === 300 || status === 301 || status === 302;
}

export class RedirectTargets {
  private readonly queue: Route[] = [];
  private readonly seen = new Set<string>();
  private hops = 0;

  constructor(first: Route) {
    this.seen.add(targetKey(first.requestUri));
  }

  /**
   * Adds the usable Contacts of a 3xx, highest q first; `route` applies the
   * routing rules (and throws RoutingError for a target we may not call:
   * those are skipped).
   */
  add(res: SipResponse, route: (uri: Uri) => Route): string[] {
    let contacts: NameAddr[];
    try {
      contacts = res.contacts();
    } catch {
      return ['unparsable Contact'];
    }
    const skipped: string[] = [];
    const ranked = contacts
      .slice(0, MAX_CONTACTS)
      .map((c, i) => ({ c, i, q: qValue(c) }))
      .sort((a, b) => b.q - a.q || a.i - b.i);
    const fresh: Route[] = [];
    for (const { c } of ranked) {
      const key = targetKey(c.uri);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      try {
        fresh.push(route(c.uri));
      } catch (err) {
        skipped.push(`${formatUri(c.uri)}: ${(err as Error).message}`);
      }
    }
    // A 3xx's targets go before the alternatives already queued: its server knows better.
    this.queue.unshift(...fresh);
    return skipped;
  }

  /** The next target to try, or undefined when none is left or the hops are used up. */
  next(): Route | undefined {
    if (this.hops >= MAX_REDIRECT_HOPS) return undefined;
    const route = this.queue.shift();
    if (route) this.hops++;
    return route;
  }
}

/** §20.10: q between 0 and 1, default 1; anything unreadable counts as 1. */
function qValue(contact: NameAddr): number {
  const q = contact.params.get('q');
  const n = typeof q === 'string' ? Number(q) : NaN;
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : 1;
}

/** A target as the loop check compares it: its URI as written, case folded. */
function targetKey(uri: Uri): string {
  return formatUri(uri).toLowerCase();
}
