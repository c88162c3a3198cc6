/**
 * RFC 3263 through a real DNS server: a dnsmasq the test starts on
 * 127.0.0.1 (a free port, killed by pid) serves NAPTR, SRV and A records
 * for carrier.test, and the user agent is pointed at it by `dnsServers`.
 * The trunk's first server (SRV priority 10) answers 503, or nothing at
 * all; the call must go on to the second (priority 20). An outbound proxy
 * gets the trunk's INVITE with itself in a Route header.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { formatUri } from '../../src/sip/message/index.js';
import type { CallFailure } from '../../src/sip/ua/index.js';
import { SipPeer } from '../support/sipp.js';
import { freeUdpPort } from '../support/ports.js';
import { stopChild } from '../support/stop-child.js';
import { next, scenario, sdp, startUa } from './helpers.js';

interface Dns {
  server: string;
  child: ChildProcess;
  exited: Promise<unknown>;
}

/** dnsmasq with only the records given: no /etc/hosts, no upstream, no config file. */
async function startDns(records: string[]): Promise<Dns> {
  const port = await freeUdpPort();
  const child = spawn(
    'dnsmasq',
    [
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      '--no-resolv',
      '--no-hosts',
      '--bind-interfaces',
      '--listen-address=127.0.0.1',
      `--port=${port}`,
      '--pid-file=',
      ...records,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const server = `127.0.0.1:${port}`;
  const resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([server]);
  const deadline = Date.now() + 5_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited: ${stderr}`);
    try {
      await resolver.resolve4('a.carrier.test');
      return { server, child, exited };
    } catch {
      if (Date.now() > deadline) throw new Error(`dnsmasq does not answer: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function carrierRecords(first: number, second: number): string[] {
  return [
    '--naptr-record=carrier.test,10,50,s,SIP+D2U,,_sip._udp.carrier.test',
    `--srv-host=_sip._udp.carrier.test,a.carrier.test,${first},10,50`,
    `--srv-host=_sip._udp.carrier.test,b.carrier.test,${second},20,50`,
    '--host-record=a.carrier.test,127.0.0.1',
    '--host-record=b.carrier.test,127.0.0.1',
  ];
}

describe('RFC 3263: NAPTR, SRV and failover through dnsmasq', () => {
  const children: Dns[] = [];
  after(async () => {
    // dnsmasq is ours: stopped by its pid (SIGTERM, then SIGKILL).
    for (const d of children) await stopChild(d.child, d.exited, 1_000);
  });

  it('NAPTR → SRV: the priority-10 server answers 503, the priority-20 one takes the call', async (t) => {
    const down = await SipPeer.start({ scenario: scenario('uas-503.xml') });
    t.after(() => down.stop());
    const up = await SipPeer.start({ scenario: scenario('uas-answer.xml') });
    t.after(() => up.stop());
    const dns = await startDns(carrierRecords(down.port, up.port));
    children.push(dns);
    const ua = await startUa({
      trunks: [{ name: 'carrier', host: 'carrier.test' }],
      dnsServers: [dns.server],
    });
    t.after(() => ua.close());
    const call = ua.call('+14155550100', { sdp: sdp() });
    await next(call, 'answered', 8_000, ['failed']);
    await down.passed();
    assert.equal(formatUri(call.lastInvite!.uri), 'sip:+14155550100@carrier.test');
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await up.passed();
  });

  it('a server that never answers: after Timer B, the next server takes the call', async (t) => {
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    t.after(() => silent.close());
    let swallowed = 0;
    silent.on('message', () => swallowed++);
    const up = await SipPeer.start({ scenario: scenario('uas-answer.xml') });
    t.after(() => up.stop());
    const dns = await startDns(carrierRecords(silent.address().port, up.port));
    children.push(dns);
    const ua = await startUa({
      trunks: [{ name: 'carrier', host: 'carrier.test', transport: 'udp' }],
      dnsServers: [dns.server],
      timers: { T1: 40, T2: 400, T4: 500 },
    });
    t.after(() => ua.close());
    const call = ua.call('+14155550100', { sdp: sdp() });
    await next(call, 'answered', 8_000, ['failed']);
    assert.ok(swallowed >= 2, 'the silent server got the INVITE and its retransmissions');
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await up.passed();
  });

  it('outboundProxy: the INVITE goes to the proxy, which is its Route; the Request-URI stays the trunk', async (t) => {
    const proxy = createSocket('udp4');
    await new Promise<void>((resolve) => proxy.bind(0, '127.0.0.1', resolve));
    t.after(() => proxy.close());
    const port = proxy.address().port;
    const seen: string[] = [];
    proxy.on('message', (m, rinfo) => {
      const text = m.toString();
      seen.push(text);
      if (!text.startsWith('INVITE')) return;
      const keep = text.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
      const to = keep.findIndex((l) => /^To:/i.test(l));
      keep[to] += ';tag=proxy';
      proxy.send(
        ['SIP/2.0 486 Busy Here', ...keep, 'Content-Length: 0', '', ''].join('\r\n'),
        rinfo.port,
        rinfo.address,
      );
    });
    const ua = await startUa({
      trunks: [{ name: 'carrier', host: 'carrier.test', outboundProxy: `127.0.0.1:${port}` }],
    });
    t.after(() => ua.close());
    const call = ua.call('+14155550100', { sdp: sdp() });
    const failure = await next<CallFailure>(call, 'failed', 5_000, ['answered']);
    assert.equal(failure.status, 486);
    const invite = seen.find((m) => m.startsWith('INVITE'))!;
    assert.match(invite, /^INVITE sip:\+14155550100@carrier\.test SIP\/2\.0/);
    assert.match(invite, new RegExp(`^Route: <sip:127\\.0\\.0\\.1:${port};lr>`, 'm'));
  });
});
