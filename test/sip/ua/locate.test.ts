/** RFC 3263 server location (src/sip/ua/locate.ts) against a fake DNS: what is looked up, in which order. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { locate, orderSrv, type DnsResolver } from '../../../src/sip/ua/locate.js';

function fakeDns(zone: {
  naptr?: Record<string, Awaited<ReturnType<DnsResolver['resolveNaptr']>>>;
  srv?: Record<string, { name: string; port: number; priority: number; weight: number }[]>;
  a?: Record<string, string[]>;
}): DnsResolver & { asked: string[] } {
  const asked: string[] = [];
  const miss = (): Promise<never> => Promise.reject(new Error('ENOTFOUND'));
  return {
    asked,
    resolveNaptr: (n) => (
      asked.push(`NAPTR ${n}`),
      zone.naptr?.[n] ? Promise.resolve(zone.naptr[n]) : miss()
    ),
    resolveSrv: (n) => (
      asked.push(`SRV ${n}`),
      zone.srv?.[n] ? Promise.resolve(zone.srv[n]) : miss()
    ),
    resolve4: (n) => (asked.push(`A ${n}`), zone.a?.[n] ? Promise.resolve(zone.a[n]) : miss()),
    resolve6: () => miss(),
  };
}

describe('locate (RFC 3263 §4)', () => {
  it('an IP literal is the target itself; an explicit port asks A/AAAA only', async () => {
    const dns = fakeDns({ a: { 'sip.example': ['192.0.2.1'] } });
    assert.deepEqual(await locate({ host: '[2001:db8::1]', port: 5070, protocol: 'tcp' }, dns), [
      { protocol: 'tcp', address: '2001:db8::1', port: 5070 },
    ]);
    assert.deepEqual(await locate({ host: 'sip.example', port: 5080, protocol: 'udp' }, dns), [
      { protocol: 'udp', address: '192.0.2.1', port: 5080 },
    ]);
    assert.deepEqual(dns.asked, ['A sip.example']);
  });

  it('NAPTR by order, its SRV by priority, TCP from SIP+D2T; unknown services ignored', async () => {
    const dns = fakeDns({
      naptr: {
        'carrier.example': [
          {
            flags: 's',
            service: 'SIP+D2T',
            regexp: '',
            replacement: '_sip._tcp.carrier.example',
            order: 20,
            preference: 0,
          },
          {
            flags: 's',
            service: 'SIPS+D2T',
            regexp: '',
            replacement: '_sips._tcp.carrier.example',
            order: 5,
            preference: 0,
          },
          {
            flags: 's',
            service: 'SIP+D2U',
            regexp: '',
            replacement: '_sip._udp.carrier.example',
            order: 10,
            preference: 0,
          },
        ],
      },
      srv: {
        '_sip._udp.carrier.example': [
          { name: 'b.carrier.example', port: 5062, priority: 20, weight: 0 },
          { name: 'a.carrier.example', port: 5060, priority: 10, weight: 0 },
        ],
        '_sip._tcp.carrier.example': [
          { name: 'a.carrier.example', port: 5061, priority: 10, weight: 0 },
        ],
      },
      a: { 'a.carrier.example': ['192.0.2.10'], 'b.carrier.example': ['192.0.2.20'] },
    });
    const out = await locate(
      { host: 'carrier.example', port: 5060, protocol: 'udp', locate: 'naptr' },
      dns,
    );
    assert.deepEqual(out, [
      { protocol: 'udp', address: '192.0.2.10', port: 5060 },
      { protocol: 'udp', address: '192.0.2.20', port: 5062 },
      { protocol: 'tcp', address: '192.0.2.10', port: 5061 },
    ]);
  });

  it('no NAPTR: SRV for UDP then TCP; no SRV either: A on 5060 over UDP; "." means no service', async () => {
    const dns = fakeDns({
      srv: { '_sip._tcp.x.example': [{ name: '.', port: 0, priority: 0, weight: 0 }] },
      a: { 'x.example': ['192.0.2.30'] },
    });
    assert.deepEqual(
      await locate({ host: 'x.example', port: 5060, protocol: 'tcp', locate: 'naptr' }, dns),
      [{ protocol: 'udp', address: '192.0.2.30', port: 5060 }],
    );
    assert.deepEqual(dns.asked, [
      'NAPTR x.example',
      'SRV _sip._udp.x.example',
      'SRV _sip._tcp.x.example',
      'A x.example',
    ]);
    await assert.rejects(
      locate({ host: 'none.example', port: 5060, protocol: 'udp', locate: 'srv' }, dns),
      /Cannot resolve/,
    );
  });

  it('SRV weights: within a priority, picked in proportion to weight (RFC 2782)', () => {
    const records = [
      { priority: 1, weight: 90, id: 'heavy' },
      { priority: 1, weight: 10, id: 'light' },
      { priority: 0, weight: 0, id: 'first' },
    ];
    let seed = 1;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    let heavyFirst = 0;
    for (let i = 0; i < 1000; i++) {
      const order = orderSrv(
        records.map((r) => ({ ...r })),
        random,
      ).map((r) => r.id);
      assert.equal(order[0], 'first');
      if (order[1] === 'heavy') heavyFirst++;
    }
    assert.ok(heavyFirst > 850 && heavyFirst < 950, `heavy first ${heavyFirst}/1000`);
  });
});
