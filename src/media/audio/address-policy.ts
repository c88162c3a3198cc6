import { isIPv4, isIPv6 } from 'node:net';

/*
 * Which IP addresses audio may be downloaded from. PHLO documents arrive over
 * the REST API and name hold music, prompts and voicemail greetings as URLs,
 * so without a policy anyone who can post one could make the server request
 * its own loopback services, the LAN or a cloud metadata endpoint (SSRF).
 * By default only public unicast addresses are accepted; the ranges are
 * those of the IANA special-purpose registries (RFC 6890 and its updates)
 * plus multicast (RFC 5771, RFC 4291 §2.7) and the IPv6 prefixes that carry
 * an IPv4 address inside (RFC 4291 §2.5.5.2, RFC 6052, RFC 3056), which are
 * judged by the IPv4 address they carry.
 */

/** What kind of address an IP address is, as far as fetching from it goes. */
export type AddressRange =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

export interface AddressClass {
  range: AddressRange;
  /** The IPv4 address an IPv4-mapped, NAT64 or 6to4 IPv6 address carries (what range describes). */
  embeddedIPv4?: string;
}

export interface AddressPolicyOptions {
  /**
   * Also fetch from loopback, private (RFC 1918, IPv6 ULA) and shared
   * (100.64.0.0/10) addresses, for deployments that serve audio from an
   * internal host. Link-local (where cloud metadata services answer),
   * multicast, broadcast, unspecified and reserved addresses stay refused:
   * no audio server lives there. Default false.
   */
  allowPrivateNetworks?: boolean;
}

/** The server configuration key that sets allowPrivateNetworks (named in error messages). */
export const ALLOW_PRIVATE_CONFIG_KEY = 'media.allowPrivateAudioUrls';

/** Ranges allowPrivateNetworks opens. */
const PRIVATE_RANGES: ReadonlySet<AddressRange> = new Set(['loopback', 'private', 'shared']);

interface Cidr {
  net: bigint;
  bits: number;
  range: AddressRange;
}

function parseIPv4(text: string): bigint | undefined {
  if (!isIPv4(text)) return undefined;
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** The 128-bit value of an IPv6 address in any textual form (RFC 4291 §2.2). */
function parseIPv6(text: string): bigint | undefined {
  if (!isIPv6(text)) return undefined;
  // A zone (fe80::1%eth0, RFC 4007 §11) says which link, not which address.
  let s = text.replace(/%.*$/, '');
  const tail: bigint[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    // x:x:x:x:x:x:d.d.d.d — the last 32 bits written as an IPv4 address.
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail.push(v4 >> 16n, v4 & 0xffffn);
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  const groups = (part: string | undefined): bigint[] =>
    part ? part.split(':').map((g) => BigInt(parseInt(g, 16))) : [];
  const head = groups(halves[0]);
  const rest = groups(halves[1]);
  const zeros = halves.length === 2 ? 8 - tail.length - head.length - rest.length : 0;
  const all = [...head, ...Array<bigint>(zeros).fill(0n), ...rest, ...tail];
  if (all.length !== 8) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

function cidr(text: string, range: AddressRange): Cidr {
  const [addr, bits] = text.split('/');
  const net = addr.includes(':') ? parseIPv6(addr) : parseIPv4(addr);
  if (net === undefined) throw new Error(`bad CIDR in the address table: ${text}`);
  return { net, bits: Number(bits), range };
}

function matches(value: bigint, width: number, c: Cidr): boolean {
  const shift = BigInt(width - c.bits);
  return value >> shift === c.net >> shift;
}

/** First match wins. Anything else is public unicast. */
const IPV4_TABLE: readonly Cidr[] = [
  cidr('0.0.0.0/32', 'unspecified'),
  cidr('0.0.0.0/8', 'reserved'), // "this network", RFC 791
  cidr('10.0.0.0/8', 'private'), // RFC 1918
  cidr('100.64.0.0/10', 'shared'), // carrier-grade NAT, RFC 6598
  cidr('127.0.0.0/8', 'loopback'), // RFC 1122 §3.2.1.3
  cidr('169.254.0.0/16', 'link-local'), // RFC 3927
  cidr('172.16.0.0/12', 'private'), // RFC 1918
  cidr('192.0.0.0/24', 'reserved'), // IETF protocol assignments, RFC 6890
  cidr('192.0.2.0/24', 'documentation'), // TEST-NET-1, RFC 5737
  cidr('192.88.99.0/24', 'reserved'), // 6to4 relay anycast, deprecated by RFC 7526
  cidr('192.168.0.0/16', 'private'), // RFC 1918
  cidr('198.18.0.0/15', 'benchmarking'), // RFC 2544
  cidr('198.51.100.0/24', 'documentation'), // TEST-NET-2, RFC 5737
  cidr('203.0.113.0/24', 'documentation'), // TEST-NET-3, RFC 5737
  cidr('224.0.0.0/4', 'multicast'), // RFC 5771
  cidr('255.255.255.255/32', 'broadcast'), // RFC 919
  cidr('240.0.0.0/4', 'reserved'), // RFC 1112 §4
];

/** IPv6 prefixes that carry an IPv4 address: the prefix, and where the IPv4 address sits (bits from the right). */
const IPV6_EMBEDDING: readonly { prefix: Cidr; shift: bigint }[] = [
  { prefix: cidr('::ffff:0:0/96', 'reserved'), shift: 0n }, // IPv4-mapped, RFC 4291 §2.5.5.2
  { prefix: cidr('64:ff9b::/96', 'reserved'), shift: 0n }, // NAT64 well-known prefix, RFC 6052
  { prefix: cidr('2002::/16', 'reserved'), shift: 80n }, // 6to4, RFC 3056 §2
];

/** First match wins, after the embeddings above. Outside 2000::/3 nothing is global unicast. */
const IPV6_TABLE: readonly Cidr[] = [
  cidr('::/128', 'unspecified'),
  cidr('::1/128', 'loopback'),
  cidr('64:ff9b:1::/48', 'private'), // local-use NAT64, RFC 8215
  cidr('fc00::/7', 'private'), // unique local, RFC 4193
  cidr('fec0::/10', 'private'), // site-local, deprecated by RFC 3879
  cidr('fe80::/10', 'link-local'), // RFC 4291 §2.5.6
  cidr('ff00::/8', 'multicast'), // RFC 4291 §2.7
  cidr('2001:db8::/32', 'documentation'), // RFC 3849
  cidr('3fff::/20', 'documentation'), // RFC 9637
  cidr('2001:2::/48', 'benchmarking'), // RFC 5180
  cidr('2001::/23', 'reserved'), // IETF protocol assignments (Teredo, ORCHID...), RFC 2928
];
const GLOBAL_UNICAST = cidr('2000::/3', 'public'); // RFC 4291 §2.4

function classifyIPv4(value: bigint): AddressRange {
  return IPV4_TABLE.find((c) => matches(value, 32, c))?.range ?? 'public';
}

/**
 * The range an IP address (IPv4 or IPv6 text, no brackets or zone) is in, or
 * undefined when the text is not an IP address.
 */
export function classifyAddress(address: string): AddressClass | undefined {
  const v4 = parseIPv4(address);
  if (v4 !== undefined) return { range: classifyIPv4(v4) };
  const v6 = parseIPv6(address);
  if (v6 === undefined) return undefined;
  for (const { prefix, shift } of IPV6_EMBEDDING) {
    if (matches(v6, 128, prefix)) {
      const embedded = (v6 >> shift) & 0xffffffffn;
      return { range: classifyIPv4(embedded), embeddedIPv4: formatIPv4(embedded) };
    }
  }
  const range = IPV6_TABLE.find((c) => matches(v6, 128, c))?.range;
  if (range) return { range };
  return { range: matches(v6, 128, GLOBAL_UNICAST) ? 'public' : 'reserved' };
}

const RANGE_TEXT: Record<Exclude<AddressRange, 'public'>, string> = {
  unspecified: 'is the unspecified address',
  loopback: 'is a loopback address',
  private: 'is in a private range',
  shared: 'is in the shared (carrier-grade NAT) range 100.64.0.0/10',
  'link-local': 'is link-local (where cloud metadata services answer)',
  multicast: 'is a multicast address',
  broadcast: 'is the broadcast address',
  documentation: 'is in a range reserved for documentation',
  benchmarking: 'is in a range reserved for benchmarking',
  reserved: 'is in a reserved range',
};

/**
 * Why audio may not be fetched from `address`, or undefined when it may.
 * `host` is the name it was resolved from, shown next to it.
 */
export function addressRefusal(
  address: string,
  options: AddressPolicyOptions = {},
  host?: string,
): string | undefined {
  const c = classifyAddress(address);
  const of = host && host !== address ? ` of ${host}` : '';
  const carried = c?.embeddedIPv4 ? ` (IPv4 ${c.embeddedIPv4})` : '';
  const shown = `address ${address}${of}${carried}`;
  if (!c) return `${shown} is not an IP address`;
  if (c.range === 'public') return undefined;
  if (PRIVATE_RANGES.has(c.range)) {
    if (options.allowPrivateNetworks) return undefined;
    return `${shown} ${RANGE_TEXT[c.range]}; set ${ALLOW_PRIVATE_CONFIG_KEY} to allow it`;
  }
  return `${shown} ${RANGE_TEXT[c.range]}; never fetched from, even with ${ALLOW_PRIVATE_CONFIG_KEY}`;
}
