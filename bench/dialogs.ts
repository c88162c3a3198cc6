/**
 * Memory per idle dialog: SIPp places N calls into our UserAgent (in this
 * process) and keeps them up; we compare the heap with all N dialogs
 * established against the heap before, after forcing GC both times.
 * Run with --expose-gc (npm run bench does).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { UserAgent } from '../src/sip/ua/index.js';
import { freeUdpPortPair, freeUdpPorts } from './cps/ports.js';

const scenario = fileURLToPath(new URL('./sipp/uac-hold.xml', import.meta.url));

function gcHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export async function runDialogMemoryBench(
  n = 5000,
): Promise<{ dialogs: number; bytes_per_idle_dialog: number }> {
  const ua = await UserAgent.create({
    listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
    // SIPp sets the calls up at 1000/s from one address: no per-source rate here.
    newRequestsPerSecondPerSource: 0,
  });
  const port = ua.bindings()[0]!.port;
  const sdp =
    'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
  ua.on('invite', (call) => call.answer(sdp));
  const before = gcHeap();
  // SIPp also binds a media and a control port: give it free ones too.
  const [sippPort, controlPort] = await freeUdpPorts(2);
  const mediaPort = await freeUdpPortPair();
  const sipp = spawn(
    'sipp',
    [
      `127.0.0.1:${port}`,
      '-sf',
      scenario,
      '-r',
      '1000',
      '-m',
      String(n),
      '-l',
      String(n),
      '-i',
      '127.0.0.1',
      '-p',
      String(sippPort),
      '-mp',
      String(mediaPort),
      '-cp',
      String(controlPort),
      '-nostdin',
    ],
    { stdio: 'ignore' },
  );
  try {
    const deadline = Date.now() + 60_000;
    // Wait until every dialog is up and the 2xx retransmission timers have stopped (ACKs in).
    while (ua.dialogCount() < n && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    // Idle means no transaction left either: wait for Timer L (64·T1) to retire the INVITE server transactions.
    while (Date.now() < deadline + 40_000) {
      const { client, server } = ua.transactions.size();
      if (client + server === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const dialogs = ua.dialogCount();
    const after = gcHeap();
    return { dialogs, bytes_per_idle_dialog: Math.round((after - before) / Math.max(1, dialogs)) };
  } finally {
    sipp.kill('SIGKILL');
    await ua.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runDialogMemoryBench(Number(process.argv[2] ?? 5000));
  console.table([r]);
}
