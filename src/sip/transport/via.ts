/**
 * The Via manipulations the transport owns: stamping received/rport on
 * requests it receives (RFC 3261 §18.2.1, RFC 3581 §4) and rewriting the
 * transport of a request it moves from UDP to TCP (§18.1.1).
 *
 * They work on the raw header lines so that the other Via values, which
 * may share the first line ("Via: a, b", §7.3.1), pass through untouched.
 */
import {
  formatVia,
  parsedOr,
  parseVia,
  splitTopLevelCommas,
  type Headers,
  type Via,
} from '../message/index.js';
import { canonicalHost, ipFamily, sameHost } from './address.js';

/** A fresh (uncached, safe to mutate) parse of the topmost Via value, or null if absent or unparsable. */
export function parseTopVia(headers: Headers): Via | null {
  const line = headers.entries.find((e) => e.key === 'via');
  if (!line) return null;
  const first = splitTopLevelCommas(line.value)[0];
  if (first === undefined) return null;
  return parsedOr(() => parseVia(first), null);
}

/** Replaces the topmost Via value by `via`, keeping the other values of its line. */
export function replaceTopVia(headers: Headers, via: Via): void {
  const at = headers.entries.findIndex((e) => e.key === 'via');
  if (at < 0) return;
  const entry = headers.entries[at]!;
  const values = splitTopLevelCommas(entry.value);
  values[0] = formatVia(via);
  // A new entry object: drops the message's cached parse of the old value.
  headers.entries[at] = { name: entry.name, key: entry.key, value: values.join(', ') };
}

/**
 * §18.2.1: add `received` when the sent-by host is a name or an address
 * other than the packet's source. RFC 3581 §4: a value-less `rport` gets the
 * source port, and then `received` is added even if the host matches.
 * Returns false when there is no usable top Via (the request is malformed).
 */
export function stampReceived(
  headers: Headers,
  sourceAddress: string,
  sourcePort: number,
): boolean {
  const via = parseTopVia(headers);
  if (!via) return false;
  const rport = via.params.get('rport');
  const wantsRport = via.params.has('rport') && (rport === null || rport === '');
  if (wantsRport) via.params.set('rport', String(sourcePort));
  const hostDiffers = ipFamily(via.host) === 0 || !sameHost(via.host, sourceAddress);
  if (!wantsRport && !hostDiffers) return true;
  // received carries a bare IP, IPv6 without brackets (RFC 3261 §20.42 grammar, RFC 5118 §4.5).
  via.params.set('received', canonicalHost(sourceAddress));
  replaceTopVia(headers, via);
  return true;
}

/** The host text to put in a Via sent-by: IPv6 references are bracketed (§25.1 IPv6reference). */
export function viaHost(address: string): string {
  const host = canonicalHost(address);
  return ipFamily(host) === 6 ? `[${host}]` : host;
}
