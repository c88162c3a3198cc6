/**
 * Times of the outbox: ISO-8601 UTC with microseconds, as the store keeps
 * every time (`2026-12-01T19:42:04.123456Z`, which sorts as text), and
 * Plivo's format for what a receiver reads (`2018-11-14 04:41:31.827796+00:00`,
 * as the API's created_on).
 */

/** `ms` (milliseconds since the epoch, fractions kept to the microsecond) as the store writes times. */
export function isoFromMs(ms: number): string {
  const micros = Math.floor(ms * 1000);
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return `${iso.slice(0, 23)}${String(((micros % 1000) + 1000) % 1000).padStart(3, '0')}Z`;
}

/** A stored time in whole microseconds since the epoch (exact: no float rounding); NaN when not one. */
export function microsFromIso(iso: string): number {
  const ms = Date.parse(iso);
  const fraction = /\.(\d{1,6})Z$/.exec(iso)?.[1] ?? '';
  return ms * 1000 + Number(fraction.padEnd(6, '0').slice(3));
}

const ISO = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/;

/** A stored time in Plivo's format; null stays null. */
export function plivoTime(iso: string | null): string | null {
  if (iso === null) return null;
  const m = ISO.exec(iso);
  if (m) return `${m[1]} ${m[2]}.${(m[3] ?? '').padEnd(6, '0')}+00:00`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : plivoTime(isoFromMs(ms));
}
