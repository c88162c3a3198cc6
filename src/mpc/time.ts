/**
 * Wall-clock timestamps for records: ISO-8601 UTC with microseconds, as the
 * store keeps them (Plivo's `created_on` shows microseconds). JavaScript
 * dates have milliseconds; the sub-millisecond digits come from the
 * monotonic clock so two stamps taken in the same millisecond still order.
 */
let lastMicros = 0;

export type WallClock = () => string;

export const isoNow: WallClock = () => {
  let micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  // Strictly increasing within the process: event order is never ambiguous.
  if (micros <= lastMicros) micros = lastMicros + 1;
  lastMicros = micros;
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // 2026-12-01T19:42:04.123Z
  return `${iso.slice(0, 23)}${String(micros % 1000).padStart(3, '0')}Z`;
};
