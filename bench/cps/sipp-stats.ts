/**
 * Parsers for the files SIPp 3.6 writes with -trace_stat (-stf) and
 * -trace_rtt. Both are ';'-separated with a header line. Malformed content
 * yields undefined / skipped rows rather than an exception, because a SIPp
 * that was killed mid-write leaves a truncated last line.
 */

/** The counters the benchmark needs from the last (cumulative) row of a -trace_stat file. */
export interface SippStatSummary {
  /** TotalCallCreated. */
  created: number;
  /** SuccessfulCall(C). */
  successful: number;
  /** FailedCall(C). */
  failed: number;
  /** Retransmissions(C): messages SIPp had to resend (lost or late answers). */
  retransmissions: number;
  /** CurrentTime - StartTime of the row, in seconds (microsecond resolution). */
  elapsedS: number;
}

export function parseStatFile(text: string): SippStatSummary | undefined {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return undefined;
  const header = lines[0].split(';');
  // The last row may be cut short if SIPp was killed while writing it.
  for (let i = lines.length - 1; i >= 1; i--) {
    const row = lines[i].split(';');
    if (row.length < header.length - 1) continue;
    const field = (name: string): string | undefined => {
      const idx = header.indexOf(name);
      return idx < 0 ? undefined : row[idx];
    };
    const created = toInt(field('TotalCallCreated'));
    const successful = toInt(field('SuccessfulCall(C)'));
    const failed = toInt(field('FailedCall(C)'));
    const retransmissions = toInt(field('Retransmissions(C)')) ?? 0;
    const start = epochSeconds(field('StartTime'));
    const now = epochSeconds(field('CurrentTime'));
    if (
      created === undefined ||
      successful === undefined ||
      failed === undefined ||
      start === undefined ||
      now === undefined
    ) {
      continue;
    }
    return { created, successful, failed, retransmissions, elapsedS: Math.max(0, now - start) };
  }
  return undefined;
}

/**
 * The response times (ms) recorded for the named response-time counter
 * (`rtd` name in the scenario) in a -trace_rtt file, whose rows are
 * `Date_ms;response_time_ms;rtd_no`.
 */
export function parseRttFile(text: string, rtdName: string): number[] {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    const [, ms, name] = line.trim().split(';');
    if (name !== rtdName || ms === undefined) continue;
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) out.push(value);
  }
  return out;
}

function toInt(s: string | undefined): number | undefined {
  if (s === undefined || !/^\s*\d+\s*$/.test(s)) return undefined;
  return Number(s);
}

/** SIPp writes times as "YYYY-MM-DD\tHH:MM:SS.micros\t<epoch seconds.micros>". */
function epochSeconds(s: string | undefined): number | undefined {
  const last = s?.split('\t').pop()?.trim();
  if (last === undefined || !/^\d+(\.\d+)?$/.test(last)) return undefined;
  return Number(last);
}
