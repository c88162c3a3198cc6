/**
 * The control protocol between the benchmark and its load generator: one
 * JSON object per line, each way, over a loopback TCP connection the
 * generator opens to the benchmark (`--control <port>`). The harness that
 * starts children (bench/cps/child.ts) closes their stdin, so the control
 * channel cannot be stdin; a socket also tells the generator when the
 * benchmark has gone (the connection closes) so it never outlives it.
 *
 * Every command carries an `id` that its reply repeats. Replies are
 * validated here rather than trusted: a malformed line is reported as such,
 * never thrown out of the parser.
 */

export type Signal = 'tone' | 'silence';

export type GeneratorCommand =
  /** Bind one UDP socket per target on `host` and connect it to the target's port. */
  | { id: number; cmd: 'setup'; host: string; targets: number[] }
  /** Start sending: one packet per socket every 20 ms, members spread over `phases` sub-ticks. */
  | { id: number; cmd: 'start'; signal: Signal; phases: number }
  /** Start a measured window: the pacing statistics restart. */
  | { id: number; cmd: 'mark' }
  /** Stop sending (sockets stay open and keep counting what arrives). */
  | { id: number; cmd: 'stop' }
  /** What each socket has received since setup, and the pacing since the mark. */
  | { id: number; cmd: 'report' }
  /**
   * Latency probe: `count` times, socket `from` sends one click packet in
   * place of its next frame, and the time until socket `to` receives audio
   * above `threshold` is measured (null after `timeoutMs`).
   */
  | {
      id: number;
      cmd: 'clicks';
      from: number;
      to: number;
      count: number;
      intervalMs: number;
      threshold: number;
      timeoutMs: number;
    }
  /** Stop sending and close every socket. */
  | { id: number; cmd: 'teardown' }
  | { id: number; cmd: 'exit' };

export interface PacingReport {
  /** Sub-ticks run since the mark (a late one still sends: the generator never drops packets). */
  ticks: number;
  /** 99th percentile of how late a sub-tick ran after its deadline, ms. */
  latenessP99Ms: number;
  latenessMaxMs: number;
}

export interface GeneratorReport {
  /** Audio packets each socket sent since setup (all send on the same schedule). */
  sentPerMember: number;
  /** Per socket, since setup: audio packets received, missing sequence numbers, reordered, duplicates. */
  received: number[];
  gaps: number[];
  reordered: number[];
  duplicates: number[];
  /** RTCP packets received, per socket. */
  rtcp: number[];
  /** Datagrams that were neither PCMU RTP nor RTCP, in total. */
  other: number;
  /** Sends the OS refused, and socket errors (ICMP unreachable...), in total. */
  sendErrors: number;
  socketErrors: number;
  pacing: PacingReport;
  /** The generator's own CPU time since it started (user + system), µs. */
  cpuUs: number;
}

export type GeneratorReply =
  | { id: number; ok: true; kind: 'ready'; ports: number[] }
  | { id: number; ok: true; kind: 'done' }
  | { id: number; ok: true; kind: 'mark'; cpuUs: number }
  | { id: number; ok: true; kind: 'report'; report: GeneratorReport }
  | { id: number; ok: true; kind: 'clicks'; latenciesMs: (number | null)[] }
  | { id: number; ok: false; error: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isPort = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) > 0 && (v as number) <= 65535;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCountList = (v: unknown): v is number[] => Array.isArray(v) && v.every(isCount);

function parseObject(line: string): Parsed<Json> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  if (!isObject(value)) return { ok: false, error: 'not a JSON object' };
  if (!isCount(value.id)) return { ok: false, error: 'missing or invalid id' };
  return { ok: true, value };
}

/** A command line as the generator reads it. */
export function parseCommand(line: string): Parsed<GeneratorCommand> {
  const parsed = parseObject(line);
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  const id = o.id as number;
  const bad = (what: string): Parsed<GeneratorCommand> => ({
    ok: false,
    error: `${String(o.cmd)}: invalid ${what}`,
  });
  switch (o.cmd) {
    case 'setup':
      if (typeof o.host !== 'string' || o.host === '') return bad('host');
      if (!Array.isArray(o.targets) || !o.targets.every(isPort)) return bad('targets');
      return { ok: true, value: { id, cmd: 'setup', host: o.host, targets: o.targets } };
    case 'start':
      if (o.signal !== 'tone' && o.signal !== 'silence') return bad('signal');
      if (!Number.isInteger(o.phases) || (o.phases as number) < 1 || (o.phases as number) > 20)
        return bad('phases');
      return {
        ok: true,
        value: { id, cmd: 'start', signal: o.signal, phases: o.phases as number },
      };
    case 'clicks': {
      const { from, to, count, intervalMs, threshold, timeoutMs } = o;
      if (!isCount(from) || !isCount(to) || from === to) return bad('from/to');
      if (!isCount(count) || count === 0) return bad('count');
      if (!isFiniteNumber(intervalMs) || intervalMs < 0) return bad('intervalMs');
      if (!isFiniteNumber(threshold) || threshold <= 0 || threshold > 32768)
        return bad('threshold');
      if (!isFiniteNumber(timeoutMs) || timeoutMs <= 0) return bad('timeoutMs');
      return {
        ok: true,
        value: { id, cmd: 'clicks', from, to, count, intervalMs, threshold, timeoutMs },
      };
    }
    case 'mark':
    case 'stop':
    case 'report':
    case 'teardown':
    case 'exit':
      return { ok: true, value: { id, cmd: o.cmd } };
    default:
      return { ok: false, error: `unknown command ${JSON.stringify(o.cmd)}` };
  }
}

function isPacing(v: unknown): v is PacingReport {
  return (
    isObject(v) &&
    isCount(v.ticks) &&
    isFiniteNumber(v.latenessP99Ms) &&
    isFiniteNumber(v.latenessMaxMs)
  );
}

function isReport(v: unknown): v is GeneratorReport {
  if (!isObject(v)) return false;
  const lists = [v.received, v.gaps, v.reordered, v.duplicates, v.rtcp];
  if (!lists.every(isCountList)) return false;
  const n = (v.received as number[]).length;
  return (
    lists.every((l) => (l as number[]).length === n) &&
    isCount(v.sentPerMember) &&
    isCount(v.other) &&
    isCount(v.sendErrors) &&
    isCount(v.socketErrors) &&
    isPacing(v.pacing) &&
    isFiniteNumber(v.cpuUs)
  );
}

/** A reply line as the benchmark reads it. */
export function parseReply(line: string): Parsed<GeneratorReply> {
  const parsed = parseObject(line);
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  const id = o.id as number;
  if (o.ok === false) {
    return { ok: true, value: { id, ok: false, error: String(o.error ?? 'unknown error') } };
  }
  if (o.ok !== true) return { ok: false, error: 'missing ok' };
  switch (o.kind) {
    case 'ready':
      if (!Array.isArray(o.ports) || !o.ports.every(isPort))
        return { ok: false, error: 'ready: invalid ports' };
      return { ok: true, value: { id, ok: true, kind: 'ready', ports: o.ports } };
    case 'done':
      return { ok: true, value: { id, ok: true, kind: 'done' } };
    case 'mark':
      if (!isFiniteNumber(o.cpuUs)) return { ok: false, error: 'mark: invalid cpuUs' };
      return { ok: true, value: { id, ok: true, kind: 'mark', cpuUs: o.cpuUs } };
    case 'report':
      if (!isReport(o.report)) return { ok: false, error: 'report: invalid report' };
      return { ok: true, value: { id, ok: true, kind: 'report', report: o.report } };
    case 'clicks':
      if (
        !Array.isArray(o.latenciesMs) ||
        !o.latenciesMs.every((x) => x === null || (isFiniteNumber(x) && x >= 0))
      )
        return { ok: false, error: 'clicks: invalid latencies' };
      return {
        ok: true,
        value: { id, ok: true, kind: 'clicks', latenciesMs: o.latenciesMs as (number | null)[] },
      };
    default:
      return { ok: false, error: `unknown reply kind ${JSON.stringify(o.kind)}` };
  }
}

/** Splits a byte stream into lines; keeps the unfinished tail for the next chunk. */
export class LineSplitter {
  private partial = '';

  /** Complete lines in `chunk` (without their \n or \r\n). */
  push(chunk: string): string[] {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l) => l !== '');
  }
}
