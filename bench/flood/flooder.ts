/**
 * The hostile sender, a process of its own (so that its CPU is its own and
 * the server's event loop is not the one sending the flood):
 *
 *   node --import tsx bench/flood/flooder.ts '<FloodJob as JSON>'
 *
 * One UDP socket on 127.0.0.1 (one source address, as one attacker has),
 * sending `rate` datagrams per second for `seconds` — open loop: datagram i
 * is due at start + i / rate whatever the server answers — then listening
 * `drainMs` more for late answers. It prints `START <epoch ms>` when the
 * first datagram leaves, `STOP <epoch ms>` after the last, and
 * `DONE <FloodReport as JSON>` before it exits 0.
 *
 * A sender that falls behind (its own CPU, or the kernel refusing sends)
 * does not burst to catch up beyond CATCH_UP_MS of datagrams: what it could
 * not send counts as `missed`, and the achieved rate says how close it came
 * to the asked one, so the report tells a slow generator from a slow server.
 */
import { createSocket } from 'node:dgram';
import { pathToFileURL } from 'node:url';
import {
  DEFAULT_MIX,
  FLOOD_KINDS,
  floodMessage,
  kindPicker,
  readResponse,
  type FloodKind,
  type FloodMix,
} from './messages.js';

export interface FloodJob {
  host: string;
  port: number;
  /** Datagrams per second asked. */
  rate: number;
  seconds: number;
  mix?: FloodMix;
  /** Listening after the last datagram, ms; default 1000. */
  drainMs?: number;
}

export interface FloodReport {
  asked_rate: number;
  /** Datagrams sent per second of sending. */
  achieved_rate: number;
  sending_s: number;
  sent: Record<FloodKind, number>;
  sent_total: number;
  /** Due datagrams the sender could not send in time (it never bursts to catch up). */
  missed: number;
  send_errors: number;
  /** Every response received, by "<status> <reason>" (retransmissions included). */
  responses: Record<string, number>;
  /** Requests (not garbage) by the first final answer each got: "<status> <reason>" or "none". */
  first_answers: Record<FloodKind, Record<string, number>>;
  /** Requests that got no final answer at all. */
  unanswered: Record<FloodKind, number>;
  /** Responses that were retransmissions of a final answer already received. */
  retransmitted_answers: number;
  /** The sender's own CPU over its sending, % of one core. */
  cpu_pct: number;
}

/** Datagrams a late tick may still send at once: 50 ms worth. */
const CATCH_UP_MS = 50;
/** Datagrams handed to the socket and not yet sent, at most. */
const MAX_SEND_QUEUE = 20_000;
const KIND_CODE = new Map<FloodKind, number>(FLOOD_KINDS.map((k, i) => [k, i + 1]));

export async function flood(job: FloodJob, print: (line: string) => void): Promise<FloodReport> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.removeListener('error', reject);
      resolve();
    });
  });
  socket.on('error', () => undefined);
  try {
    socket.setRecvBufferSize(8 * 1024 * 1024);
    socket.setSendBufferSize(8 * 1024 * 1024);
  } catch {
    // Capped by net.core.[rw]mem_max: the kernel's own limit then.
  }
  const local = { host: '127.0.0.1', port: socket.address().port };
  const ep = { target: { host: job.host, port: job.port }, local };
  const capacity = Math.ceil(job.rate * job.seconds) + 1;
  /** Kind code (1-based index in FLOOD_KINDS) of datagram n; 0 = not sent. */
  const kinds = new Uint8Array(capacity);
  /** 1 once datagram n got a final answer. */
  const answered = new Uint8Array(capacity);
  const firstAnswers = Object.fromEntries(FLOOD_KINDS.map((k) => [k, {}])) as Record<
    FloodKind,
    Record<string, number>
  >;
  const responses: Record<string, number> = {};
  let retransmitted = 0;
  socket.on('message', (msg) => {
    const r = readResponse(msg);
    if (!r) return;
    responses[r.answer] = (responses[r.answer] ?? 0) + 1;
    if (r.status < 200 || r.n === undefined || r.n >= capacity || kinds[r.n] === 0) return;
    if (answered[r.n]) {
      retransmitted++;
      return;
    }
    answered[r.n] = 1;
    const into = firstAnswers[FLOOD_KINDS[kinds[r.n] - 1]];
    into[r.answer] = (into[r.answer] ?? 0) + 1;
  });

  const pick = kindPicker(job.mix ?? DEFAULT_MIX);
  const sent = Object.fromEntries(FLOOD_KINDS.map((k) => [k, 0])) as Record<FloodKind, number>;
  let n = 0;
  let missed = 0;
  let sendErrors = 0;
  const total = capacity - 1;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  print(`START ${Date.now()}`);
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const elapsed = performance.now() - t0;
      const due = Math.min(total, Math.floor((elapsed * job.rate) / 1000));
      const late = due - n - Math.ceil((CATCH_UP_MS * job.rate) / 1000);
      if (late > 0) {
        missed += late;
        n += late;
      }
      while (n < due) {
        if (socket.getSendQueueCount() > MAX_SEND_QUEUE) {
          missed += due - n;
          n = due;
          break;
        }
        const kind = pick();
        kinds[n] = KIND_CODE.get(kind)!;
        sent[kind]++;
        socket.send(floodMessage(kind, n, ep), job.port, job.host, (err) => {
          if (err) sendErrors++;
        });
        n++;
      }
      if (n >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendingMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  print(`STOP ${Date.now()}`);
  await new Promise((resolve) => setTimeout(resolve, job.drainMs ?? 1000));
  socket.close();

  const unanswered = Object.fromEntries(FLOOD_KINDS.map((k) => [k, 0])) as Record<
    FloodKind,
    number
  >;
  for (let i = 0; i < total; i++) {
    if (kinds[i] !== 0 && !answered[i]) unanswered[FLOOD_KINDS[kinds[i] - 1]]++;
  }
  for (const k of FLOOD_KINDS) {
    const none = unanswered[k];
    if (none > 0) firstAnswers[k].none = none;
  }
  const sentTotal = FLOOD_KINDS.reduce((a, k) => a + sent[k], 0);
  return {
    asked_rate: job.rate,
    achieved_rate: Math.round(sentTotal / (sendingMs / 1000)),
    sending_s: Math.round(sendingMs) / 1000,
    sent,
    sent_total: sentTotal,
    missed,
    send_errors: sendErrors,
    responses,
    first_answers: firstAnswers,
    unanswered,
    retransmitted_answers: retransmitted,
    // µs of CPU per ms of sending, / 10: % of one core, one decimal.
    cpu_pct: Math.round((cpu.user + cpu.system) / sendingMs) / 10,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const job = JSON.parse(process.argv[2] ?? '') as FloodJob;
  const report = await flood(job, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`DONE ${JSON.stringify(report)}\n`);
}
