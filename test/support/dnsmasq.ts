/**
 * A DNS server for RFC 3263 tests: dnsmasq on 127.0.0.1 (a free port)
 * serving only the records given — no /etc/hosts, no upstream, no config
 * file — started and stopped by its pid. `carrierRecords` is the carrier
 * the tests locate: NAPTR carrier.test → SRV _sip._udp.carrier.test with
 * two servers on 127.0.0.1, priority 10 (`first`) and 20 (`second`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { freeUdpPort } from './ports.js';
import { stopChild } from './stop-child.js';

export interface Dns {
  /** `127.0.0.1:port`, for `dnsServers`. */
  server: string;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL, by pid. */
  stop(): Promise<void>;
}

/** Starts dnsmasq with `records` (its command-line options) and waits until it answers. */
export async function startDns(records: string[]): Promise<Dns> {
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
  const dns: Dns = {
    server: `127.0.0.1:${port}`,
    child,
    stop: () => stopChild(child, exited, 1_000),
  };
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([dns.server]);
  const deadline = Date.now() + 5_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited: ${stderr}`);
    try {
      await resolver.resolve4('a.carrier.test');
      return dns;
    } catch {
      if (Date.now() > deadline) {
        await dns.stop();
        throw new Error(`dnsmasq does not answer: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** carrier.test: NAPTR → SRV → a.carrier.test:`first` (priority 10), b.carrier.test:`second` (20). */
export function carrierRecords(first: number, second: number): string[] {
  return [
    '--naptr-record=carrier.test,10,50,s,SIP+D2U,,_sip._udp.carrier.test',
    `--srv-host=_sip._udp.carrier.test,a.carrier.test,${first},10,50`,
    `--srv-host=_sip._udp.carrier.test,b.carrier.test,${second},20,50`,
    '--host-record=a.carrier.test,127.0.0.1',
    '--host-record=b.carrier.test,127.0.0.1',
  ];
}
