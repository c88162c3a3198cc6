/**
 * A call's events as they happen, as an async iterator.
 *
 * The server has no push endpoint yet, so this POLLS `GET …/calls/{call_id}`:
 * every `minIntervalMs` while events keep coming, backing off (×2 per quiet
 * poll) to `maxIntervalMs` while nothing happens, and yields each event once,
 * in `seq` order (only seq numbers above the last one yielded). It ends
 * after the call has ended and its last events were yielded. Each poll is an
 * ordinary GET, so it gets the client's timeout and retries; an error ends
 * the iteration by throwing from it. A `break` out of `for await` stops it.
 */
import type { CallDetail, CallEvent } from './calls.js';

export interface CallEventsOptions {
  /** Only events after this seq (default 0: the whole history first). */
  afterSeq?: number;
  /** Poll interval while events arrive, ms (default 250). */
  minIntervalMs?: number;
  /** Longest interval while the call is quiet, ms (default 2000). */
  maxIntervalMs?: number;
  /** Stops the iteration (it returns, without error) when aborted. */
  signal?: AbortSignal;
}

export async function* pollCallEvents(
  fetchCall: () => Promise<CallDetail>,
  options: CallEventsOptions = {},
): AsyncGenerator<CallEvent, void, undefined> {
  const min = options.minIntervalMs ?? 250;
  const max = Math.max(min, options.maxIntervalMs ?? 2_000);
  let last = options.afterSeq ?? 0;
  let interval = min;
  while (!options.signal?.aborted) {
    const call = await fetchCall();
    const fresh = call.events.filter((e) => e.seq > last).sort((a, b) => a.seq - b.seq);
    for (const event of fresh) {
      if (options.signal?.aborted) return;
      last = event.seq;
      yield event;
    }
    // The server commits `call.ended` with the state, so this poll saw them all.
    if (call.state === 'ended') return;
    interval = fresh.length > 0 ? min : Math.min(max, interval * 2);
    await wait(interval, options.signal);
  }
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
