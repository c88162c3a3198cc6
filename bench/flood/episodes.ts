/**
 * The server's overload log lines, read back from its pino (JSON lines)
 * output. Each load-shedding rule logs once when an episode starts and once
 * when it is over, with how many requests it refused (src/sip/transaction/
 * admission.ts for the per-source rate and the transaction table,
 * src/sip/ua/user-agent.ts for the call cap) — never once per refused
 * packet. These counts let a flood show that.
 */

export interface Episodes {
  /** Log lines starting an episode, and ending one. */
  started: number;
  ended: number;
  /** Requests refused, summed over the episodes that ended. */
  refused: number;
}

export interface OverloadLog {
  rate: Episodes;
  table: Episodes;
  calls: Episodes;
  /** Every log line read (any level, any message). */
  lines: number;
  /** The most frequent messages and how often each was logged: a per-packet line shows here. */
  top_messages: Record<string, number>;
}

const TOP_MESSAGES = 8;

type Rule = 'rate' | 'table' | 'calls';

const RULES: Record<Rule, { start: RegExp; end: RegExp }> = {
  rate: { start: /^source over its rate/, end: /^source back under its rate/ },
  table: { start: /^transaction table full/, end: /^transaction table below its cap/ },
  calls: { start: /^call limit reached/, end: /^below the call limit again/ },
};

/** Counts the overload episodes in pino's JSON lines (other lines are counted, not parsed further). */
export function readOverloadLog(jsonLines: string): OverloadLog {
  const out: OverloadLog = {
    rate: { started: 0, ended: 0, refused: 0 },
    table: { started: 0, ended: 0, refused: 0 },
    calls: { started: 0, ended: 0, refused: 0 },
    lines: 0,
    top_messages: {},
  };
  const byMessage = new Map<string, number>();
  for (const line of jsonLines.split('\n')) {
    if (line.trim() === '') continue;
    out.lines++;
    let entry: { msg?: unknown; refused?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (typeof entry.msg !== 'string') continue;
    byMessage.set(entry.msg, (byMessage.get(entry.msg) ?? 0) + 1);
    for (const name of Object.keys(RULES) as Rule[]) {
      const rule = RULES[name];
      if (rule.start.test(entry.msg)) out[name].started++;
      if (rule.end.test(entry.msg)) {
        out[name].ended++;
        if (typeof entry.refused === 'number') out[name].refused += entry.refused;
      }
    }
  }
  const top = [...byMessage].sort((a, b) => b[1] - a[1]).slice(0, TOP_MESSAGES);
  out.top_messages = Object.fromEntries(top);
  return out;
}
