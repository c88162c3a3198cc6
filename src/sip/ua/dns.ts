/**
 * The DNS the user agent's RFC 3263 lookups use (locate.ts). With servers
 * configured (`sip.dnsServers`), a node:dns Resolver pointed at them answers
 * everything. Without, the system's: NAPTR and SRV from its name servers,
 * A/AAAA through getaddrinfo as before, so /etc/hosts names still work.
 */
import { Resolver, lookup } from 'node:dns/promises';
import type { DnsResolver } from './locate.js';

/** Per query, ms, and tries per server: a dead DNS must not hold a call for long. */
const TIMEOUT_MS = 2_000;
const TRIES = 2;

export function dnsResolver(servers?: string[]): DnsResolver {
  const resolver = new Resolver({ timeout: TIMEOUT_MS, tries: TRIES });
  if (servers && servers.length > 0) {
    resolver.setServers(servers);
    return resolver;
  }
  const system = async (name: string, family: 4 | 6): Promise<string[]> =>
    (await lookup(name, { family, all: true })).map((a) => a.address);
  return {
    resolveNaptr: (name) => resolver.resolveNaptr(name),
    resolveSrv: (name) => resolver.resolveSrv(name),
    resolve4: (name) => system(name, 4),
    resolve6: (name) => system(name, 6),
  };
}
