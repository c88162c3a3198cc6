/**
 * Plivo's timestamp format: `2018-11-14 04:41:31.827796+00:00` (space
 * separator, six fraction digits, explicit UTC offset). The .NET SDK reads
 * `created_on` into a non-nullable DateTime and every SDK shows it to users,
 * so the API never answers anything else (PLIVO-SDK-WIRE.md §3.9).
 */

const ISO_TIME =
  /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2})(?::(\d{2}))?(?:[.,](\d+))?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

function fromDate(ms: number, micros: string): string {
  const utc = new Date(ms).toISOString();
  return `${utc.slice(0, 10)} ${utc.slice(11, 19)}.${micros}+00:00`;
}

/** Formats an ISO-8601 time (the service's format) as Plivo does. Throws on a non-time. */
export function plivoTimestamp(iso: string): string {
  const m = ISO_TIME.exec(iso.trim());
  if (m) {
    const [, date, hm, ss = '00', fraction = '', zone] = m;
    // Keep the digits the service gave (sub-millisecond too); pad or cut to microseconds.
    const micros = (fraction + '000000').slice(0, 6);
    const isUtc = zone === undefined || /^(?:[Zz]|[+-]00(?::?00)?)$/.test(zone);
    if (isUtc) return `${date} ${hm}:${ss}.${micros}+00:00`;
    const offset =
      zone.length === 3
        ? `${zone}:00`
        : zone.includes(':')
          ? zone
          : `${zone.slice(0, 3)}:${zone.slice(3)}`;
    const ms = Date.parse(`${date}T${hm}:${ss}${offset}`);
    if (!Number.isNaN(ms)) return fromDate(ms, micros);
  }
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an ISO-8601 time: ${JSON.stringify(iso)}`);
  return fromDate(ms, `${String(ms % 1000).padStart(3, '0')}000`);
}

export function plivoTimestampOrNull(iso: string | null | undefined): string | null {
  return iso === null || iso === undefined ? null : plivoTimestamp(iso);
}

/** The pattern the OpenAPI document promises for every timestamp. */
export const PLIVO_TIMESTAMP_PATTERN =
  '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}\\+00:00$';
