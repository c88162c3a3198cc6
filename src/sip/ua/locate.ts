/**
 * Locating SIP servers (RFC 3263 §4): from a host name to the ordered list
 * of transport, address and port to try, so a carrier's DNS decides where
 * its calls go and which server takes over when one is down.
 *
 * - An IP literal is the only target (§4.2).
 * - A port given explicitly: A/AAAA of the host, no SRV (§4.2).
 * - A transport given but no port: SRV `_sip._udp` / `_sip._tcp` (§4.2).
 * - Neither: NAPTR first (§4.1: `SIP+D2U` / `SIP+D2T`, by order then
 *   preference, their replacements being SRV names), then SRV for each
 *   transport we have (UDP first, as §4.1 falls back to), then A/AAAA on
 *   port 5060 over UDP.
 * SRV targets go by priority, then weighted at random within one priority
 * (RFC 2782); each target's A and AAAA addresses are all candidates. The
 * caller fails over to the next candidate on a timeout, a transport error
 * or a 503 (§4.3).
 *
 * Bounded against a hostile or broken DNS: at most MAX_CANDIDATES targets.
 */
import { isIP } from 'node:net';
import type { Endpoint, TransportProtocol } from '../transport/index.js';

/** How far to look up a host (routing.ts decides from the URI or trunk). */
export type LocateMode = 'naptr' | 'srv' | 'address';

export interface LocateTarget {
  host: string;
  port: number;
  protocol: TransportProtocol;
  /** Absent: A/AAAA only (an explicit port, or an in-dialog target). */
  locate?: LocateMode;
}

/** The subset of node:dns/promises Resolver used here (tests may give their own). */
export interface DnsResolver {
  resolveNaptr(name: string): Promise<
    {
      flags: string;
      service: string;
      regexp: string;
      replacement: string;
      order: number;
      preference: number;
    }[]
  >;
  resolveSrv(
    name: string,
  ): Promise<{ name: string; port: number; priority: number; weight: number }[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

const MAX_CANDIDATES = 16;
const SERVICES: Record<string, TransportProtocol> = { 'SIP+D2U': 'udp', 'SIP+D2T': 'tcp' };

export class LocateError extends Error {
  override readonly name = 'LocateError';
}

/** Every endpoint to try for a target, best first; throws LocateError when DNS knows none. */
export async function locate(
  target: LocateTarget,
  dns: DnsResolver,
  random: () => number = Math.random,
): Promise<Endpoint[]> {
  const bare = target.host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare)) return [{ protocol: target.protocol, address: bare, port: target.port }];
  const mode = target.locate ?? 'address';
  const out: Endpoint[] = [];
  if (mode === 'naptr') {
    const viaNaptr = await fromNaptr(bare, dns, random);
    out.push(...viaNaptr);
    if (out.length === 0) {
      for (const protocol of ['udp', 'tcp'] as const)
        out.push(...(await fromSrv(srvName(bare, protocol), protocol, dns, random)));
    }
  } else if (mode === 'srv') {
    out.push(...(await fromSrv(srvName(bare, target.protocol), target.protocol, dns, random)));
  }
  if (out.length === 0) {
    const protocol = mode === 'naptr' ? 'udp' : target.protocol;
    out.push(...(await addresses(bare, target.port, protocol, dns)));
  }
  if (out.length === 0) throw new LocateError(`Cannot resolve host "${bare}"`);
  return out.slice(0, MAX_CANDIDATES);
}

function srvName(host: string, protocol: TransportProtocol): string {
  return `_sip._${protocol}.${host}`;
}

async function fromNaptr(
  host: string,
  dns: DnsResolver,
  random: () => number,
): Promise<Endpoint[]> {
  const records = await dns.resolveNaptr(host).catch(() => []);
  const usable = records
    .filter(
      (r) => r.flags.toLowerCase() === 's' && SERVICES[r.service.toUpperCase()] && r.replacement,
    )
    .sort((a, b) => a.order - b.order || a.preference - b.preference);
  const out: Endpoint[] = [];
  for (const r of usable) {
    if (out.length >= MAX_CANDIDATES) break;
    out.push(...(await fromSrv(r.replacement, SERVICES[r.service.toUpperCase()]!, dns, random)));
  }
  return out;
}

async function fromSrv(
  name: string,
  protocol: TransportProtocol,
  dns: DnsResolver,
  random: () => number,
): Promise<Endpoint[]> {
  const records = await dns.resolveSrv(name).catch(() => []);
  // RFC 2782: "." as the only target means the service is decidedly not available.
  const live = records.filter((r) => r.name !== '' && r.name !== '.');
  const out: Endpoint[] = [];
  for (const r of orderSrv(live, random)) {
    if (out.length >= MAX_CANDIDATES) break;
    out.push(...(await addresses(r.name, r.port, protocol, dns)));
  }
  return out;
}

/** RFC 2782: lowest priority first; within one, weighted random selection without replacement. */
export function orderSrv<T extends { priority: number; weight: number }>(
  records: T[],
  random: () => number,
): T[] {
  const byPriority = new Map<number, T[]>();
  for (const r of records.slice(0, 64)) {
    const list = byPriority.get(r.priority) ?? [];
    list.push(r);
    byPriority.set(r.priority, list);
  }
  const out: T[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    // Zero weights first (RFC 2782), so they have a small chance when others weigh more.
    const pool = byPriority.get(priority)!.sort((a, b) => a.weight - b.weight);
    while (pool.length) {
      const total = pool.reduce((s, r) => s + r.weight, 0);
      let pick = 0;
      if (total > 0) {
        let x = random() * total;
        while (pick < pool.length - 1 && x >= pool[pick]!.weight) x -= pool[pick++]!.weight;
      }
      out.push(pool.splice(pick, 1)[0]!);
    }
  }
  return out;
}

async function addresses(
  host: string,
  port: number,
  protocol: TransportProtocol,
  dns: DnsResolver,
): Promise<Endpoint[]> {
  if (isIP(host)) return [{ protocol, address: host, port }];
  const [v4, v6] = await Promise.all([
    dns.resolve4(host).catch(() => [] as string[]),
    dns.resolve6(host).catch(() => [] as string[]),
  ]);
  return [...v4, ...v6].map((address) => ({ protocol, address, port }));
}
