/**
 * IP address helpers. SIP compares hosts textually in places where the
 * transport must compare them as addresses (RFC 3261 §18.2.1 "differs from
 * the source address", §18.1.2 sent-by matching), so every comparison goes
 * through one canonical form: IPv6 compressed lower-case without brackets,
 * IPv4-mapped IPv6 turned back into IPv4 (a dual-stack socket reports IPv4
 * peers as ::ffff:a.b.c.d).
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export type IpFamily = 4 | 6;

/** 4 or 6 for an IP literal (brackets allowed), 0 for anything else (a host name). */
export function ipFamily(host: string): 0 | IpFamily {
  const family = isIP(stripBrackets(host));
  if (family === 4 || family === 6) {
    return family === 6 && mappedV4(stripBrackets(host)) !== null ? 4 : family;
  }
  return 0;
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function mappedV4(v6: string): string | null {
  const m = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(v6);
  return m && isIP(m[1]!) === 4 ? m[1]! : null;
}

/** The canonical text of an IP literal; host names are only lower-cased. */
export function canonicalHost(host: string): string {
  const bare = stripBrackets(host.trim());
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family === 6) {
    const v4 = mappedV4(bare);
    if (v4) return v4;
    // The WHATWG URL parser serialises IPv6 in RFC 5952 canonical form.
    return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  }
  return bare.toLowerCase();
}

export function sameHost(a: string, b: string): boolean {
  return canonicalHost(a) === canonicalHost(b);
}

export function isWildcard(address: string): boolean {
  const c = canonicalHost(address);
  return c === '0.0.0.0' || c === '::';
}

/** Key of a remote peer for connection reuse (RFC 3261 §18.1.1 / §18.2.2 "connection to the same address"). */
export function peerKey(address: string, port: number): string {
  return `${canonicalHost(address)}|${port}`;
}

/** Canonical addresses of every local interface (for sent-by matching of wildcard listeners). */
export function localInterfaceAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const ni of list ?? []) out.add(canonicalHost(ni.address));
  }
  return out;
}

/**
 * The address to advertise for a listener bound to the wildcard address: the
 * first non-internal interface of that family, else the loopback. A wildcard
 * bind cannot know which interface a peer will reach, so deployments that
 * care bind a specific address.
 */
export function defaultInterfaceAddress(family: IpFamily): string {
  let internal: string | undefined;
  for (const list of Object.values(networkInterfaces())) {
    for (const ni of list ?? []) {
      if (ni.family !== `IPv${family}`) continue;
      if (family === 6 && ni.scopeid) continue; // link-local needs a zone; not advertisable in Via
      if (!ni.internal) return ni.address;
      internal ??= ni.address;
    }
  }
  return internal ?? (family === 4 ? '127.0.0.1' : '::1');
}
