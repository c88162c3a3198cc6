/**
 * How far the INVITE times of the `call` action benchmark are from the
 * wire. The benchmark takes an INVITE's time from SIPp's log (gettimeofday
 * in its <recv> action, i.e. when SIPp read the datagram); this checks that
 * against the kernel's own timestamp of the same datagram on the loopback
 * interface (tcpdump, which needs root or CAP_NET_RAW), request by request.
 * Not part of `npm run bench`.
 *
 *   node --import tsx bench/api/check-invite-clock.ts [rate=100] [seconds=4]
 *
 * Prints min / p50 / p99 / max of (SIPp's time − capture time), ms.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeMulaw } from '../../src/media/index.js';
import { spawnTracked } from '../cps/child.js';
import { percentile, round } from '../media/stats.js';
import { createPhlo, memberStates, startBenchServer, startRun, until } from './server.js';
import { startUas, writeToneWav } from './sipp-uas.js';

const rate = Number(process.argv[2] ?? 100);
const seconds = Number(process.argv[3] ?? 4);
const work = mkdtempSync(join(tmpdir(), 'partyline-bench-api-'));
const wav = join(work, 'tone.wav');
writeToneWav(wav, 440, 1, encodeMulaw);
const tone = await startUas({
  scenario: 'uas-tone.xml',
  fill: { '@TONE_WAV@': wav },
  timeoutSeconds: 120,
});
const callee = await startUas({
  scenario: 'uas-signalling.xml',
  fill: { holdMs: '200' },
  timeoutSeconds: 120,
});
const srv = await startBenchServer();
const pcap = join(work, 'invites.pcap');
const capture = spawnTracked([
  'tcpdump',
  '-i',
  'lo',
  '-n',
  '-U',
  '-s',
  '256',
  '-w',
  pcap,
  `udp dst port ${callee.port}`,
]);
try {
  await sleep(500);
  const phlo = await createPhlo(srv, 100);
  const agents = Array.from({ length: 8 }, (_, k) => `sip:agent${k}@127.0.0.1:${tone.port}`);
  for (const [k, agent] of agents.entries()) {
    await startRun(srv, phlo.phloId, agent, `sip:customer${k}@127.0.0.1:${tone.port}`);
  }
  if (!(await until(() => memberStates(srv).connected === 16, 10_000))) throw new Error('no calls');
  const path = `/v1/phlo/${phlo.phloId}/multi_party_call/${phlo.nodeId}`;
  const start = performance.now();
  const sent: Promise<unknown>[] = [];
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate;
    if (due > performance.now()) await sleep(due - performance.now());
    const to = `sip:u${i}@127.0.0.1:${callee.port}`;
    sent.push(srv.api('POST', path, { action: 'call', to, trigger_source: agents[i % 8] }));
  }
  await Promise.all(sent);
  await sleep(1500);
  await capture.stop();
  const logged = new Map<number, number>();
  for (const m of callee.readLog().matchAll(/^invite u(\d+) ([\d.]+) ([\d.]+)/gm)) {
    logged.set(Number(m[1]), Number(m[2]) * 1000 + Number(m[3]) / 1000);
  }
  const dump = execFileSync('tcpdump', ['-r', pcap, '-tt', '-n', '-A'], {
    encoding: 'latin1',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 1 << 28,
  });
  const wire = new Map<number, number>();
  let at = 0;
  for (const line of dump.split('\n')) {
    const ts = /^(\d+\.\d+) IP /.exec(line);
    if (ts) at = Number(ts[1]) * 1000;
    const inv = /INVITE sip:u(\d+)@/.exec(line);
    // The first copy only: a retransmission is not when the INVITE left.
    if (inv && !wire.has(Number(inv[1]))) wire.set(Number(inv[1]), at);
  }
  const d: number[] = [];
  for (const [n, w] of wire) {
    const s = logged.get(n);
    if (s !== undefined) d.push(s - w);
  }
  console.log(
    `${rate}/s: ${d.length} INVITEs in both (captured ${wire.size}, logged ${logged.size}); ` +
      `SIPp's time − capture time: min ${round(Math.min(...d), 3)}, p50 ${round(percentile(d, 50), 3)}, ` +
      `p99 ${round(percentile(d, 99), 3)}, max ${round(Math.max(...d), 3)} ms`,
  );
} finally {
  await capture.stop();
  await srv.stop();
  await callee.stop();
  await tone.stop();
  rmSync(work, { recursive: true, force: true });
}
