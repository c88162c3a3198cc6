/**
 * Comparing IP addresses as the kernel reports them with addresses written
 * in SDP: the same IPv6 address has many spellings (zero compression, case),
 * and a dual-stack socket reports IPv4 peers as IPv4-mapped IPv6
 * (::ffff:192.0.2.1, RFC 4291 §2.5.5.2).
 */
import type { SocketOptions } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';

/** One spelling per address: dotted IPv4 (mapped IPv6 unwrapped), or 8 lower-case hex groups. */
export function canonicalAddress(address: string): string {
  const family = isIP(address);
  if (family === 4) return address;
  if (family !== 6) return address.toLowerCase();
  const groups = expandIpv6(address.toLowerCase());
  if (groups === null) return address.toLowerCase();
  // ::ffff:a.b.c.d — an IPv4 peer seen through a dual-stack socket.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.${groups[7] & 0xff}`;
  }
  return groups.map((g) => g.toString(16)).join(':');
}

export function sameAddress(a: string, b: string): boolean {
  return a === b || canonicalAddress(a) === canonicalAddress(b);
}

/**
 * A dgram `lookup` that answers an IP literal at once. dgram passes every
 * send() through its lookup, and dns.lookup answers even a literal only on
 * the next tick: one tick, one closure and one lookup request per datagram,
 * for RTP about 50 a second per member and for SIP a few per call. Answered
 * at once, the datagram leaves within send(). Names still go to dns.lookup.
 */
export const literalFirstLookup: NonNullable<SocketOptions['lookup']> = (
  hostname,
  options,
  callback,
) => {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dnsLookup(hostname, options, callback);
};

/** The dgram socket type that can bind `address`. */
export function socketTypeFor(address: string): 'udp4' | 'udp6' {
  return isIP(address) === 6 ? 'udp6' : 'udp4';
}

function expandIpv6(address: string): number[] | null {
  let text = address;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // An embedded dotted IPv4 tail counts as two groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const octets = tail.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((octets[0] << 8) | octets[1]).toString(16)}:${((octets[2] << 8) | octets[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? head.length !== 8 : missing < 0) return null;
  const groups = [
    ...head,
    ...new Array<number>(halves.length === 2 ? missing : 0).fill(0),
    ...rest,
  ];
  return groups.some((g) => !Number.isInteger(g)) ? null : groups;
}
