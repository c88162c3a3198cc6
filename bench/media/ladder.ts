/**
 * Stepping the member count up: counts are tried in ascending order until
 * one fails (after `retries` repeats, because on a shared machine one stall
 * of another process can decide a p99); then, with `bisect`, once more
 * halfway between the last pass and that failure.
 */

export interface LadderOptions {
  /** How often a failing count is repeated before it counts as failed (default 1). */
  retries?: number;
  /** Try once between the last pass and the first failure (default true). */
  bisect?: boolean;
  /** Counts are multiples of this (the room size), so rooms stay full. */
  quantum?: number;
}

export interface LadderOutcome<S> {
  /** The passing step with the most members, if any passed. */
  best: S | undefined;
  /** The failing step that ended the ladder (the bisection's if it failed), if any. */
  failure: S | undefined;
  /** Every step in the order run. */
  all: S[];
}

/** A count halfway between `pass` and `fail`, a multiple of `quantum`; undefined when there is none strictly between. */
export function bisectPoint(pass: number, fail: number, quantum = 1): number | undefined {
  const q = Math.max(1, Math.floor(quantum));
  const mid = Math.round((pass + fail) / 2 / q) * q;
  return mid > pass && mid < fail ? mid : undefined;
}

export async function climb<S extends { members: number; passed: boolean }>(
  counts: readonly number[],
  run: (members: number) => Promise<S>,
  opts: LadderOptions = {},
): Promise<LadderOutcome<S>> {
  const retries = opts.retries ?? 1;
  const all: S[] = [];
  const attempt = async (members: number): Promise<S> => {
    for (let i = 0; ; i++) {
      const step = await run(members);
      all.push(step);
      if (step.passed || i >= retries) return step;
    }
  };
  let best: S | undefined;
  let failure: S | undefined;
  for (const n of [...counts].sort((a, b) => a - b)) {
    const step = await attempt(n);
    if (!step.passed) {
      failure = step;
      break;
    }
    best = step;
  }
  if (failure && (opts.bisect ?? true)) {
    const mid = bisectPoint(best?.members ?? 0, failure.members, opts.quantum);
    if (mid !== undefined) {
      const step = await attempt(mid);
      if (step.passed) best = step;
      else failure = step;
    }
  }
  return { best, failure, all };
}
