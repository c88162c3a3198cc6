/**
 * The floor to compare the mixer with: the least a Node process can do per
 * RTP packet — receive a datagram and send it back — on the same socket
 * layout as the mixer (one socket per member), driven by the same generator
 * at the same packet rate. Its CPU time per echoed datagram is the
 * denominator of ratio_vs_udp_echo.
 */
import { createSocket, type Socket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GeneratorControl } from './control.js';
import { collectGarbage, processCpuUs } from './machine.js';
import { ratio, round } from './stats.js';
import type { UdpEchoResult } from './types.js';

export interface EchoSettings {
  host: string;
  warmupMs: number;
  measureMs: number;
  phases: number;
}

class EchoSockets {
  echoed = 0;
  private constructor(private readonly sockets: Socket[]) {
    for (const s of sockets) {
      // The plainest echo: back to whoever sent it, as an RTP stream replies to its peer.
      s.on('message', (msg, rinfo) => {
        this.echoed++;
        s.send(msg, rinfo.port, rinfo.address);
      });
      s.on('error', () => undefined);
    }
  }

  static async open(count: number, host: string): Promise<EchoSockets> {
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
        sockets.push(s);
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.bind(0, host, () => {
            s.removeListener('error', reject);
            resolve();
          });
        });
      }
    } catch (err) {
      await closeAll(sockets);
      throw err;
    }
    return new EchoSockets(sockets);
  }

  ports(): number[] {
    return this.sockets.map((s) => s.address().port);
  }

  close(): Promise<void> {
    return closeAll(this.sockets);
  }
}

function closeAll(sockets: Socket[]): Promise<void> {
  return Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          try {
            s.close(() => resolve());
          } catch {
            resolve();
          }
        }),
    ),
  ).then(() => undefined);
}

/** Echoes `members` streams of 50 packets/s for a measured window; CPU per echoed datagram. */
export async function measureUdpEcho(
  gen: GeneratorControl,
  members: number,
  s: EchoSettings,
): Promise<UdpEchoResult> {
  collectGarbage();
  const echo = await EchoSockets.open(members, s.host);
  try {
    await gen.setup(s.host, echo.ports());
    await gen.start('tone', s.phases);
    await sleep(s.warmupMs);
    collectGarbage();
    await sleep(500);
    const genCpu0 = await gen.mark();
    const n0 = echo.echoed;
    const t0 = performance.now();
    const cpu0 = processCpuUs();
    await sleep(s.measureMs);
    const cpu1 = processCpuUs();
    const t1 = performance.now();
    const n1 = echo.echoed;
    const genWindow = await gen.report();
    await gen.stop();
    await sleep(300);
    const final = await gen.report();
    await gen.teardown();
    const wallMs = t1 - t0;
    const packets = n1 - n0;
    const sent = final.sentPerMember * members;
    const received = final.received.reduce((a, b) => a + b, 0);
    return {
      sockets: members,
      packets_per_s: Math.round((packets * 1000) / wallMs),
      cpu_us_per_packet: round(ratio(cpu1 - cpu0, packets), 3),
      cpu_pct: round((100 * (cpu1 - cpu0)) / 1000 / wallMs, 1),
      lost: Math.max(0, sent - received),
      generator_cpu_pct: round((100 * (genWindow.cpuUs - genCpu0)) / 1000 / wallMs, 1),
    };
  } finally {
    await echo.close();
  }
}
