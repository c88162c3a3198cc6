/**
 * Reading the server's snake_case JSON into typed camelCase results (the
 * keys Plivo's Node SDK exposes, so ported code reads `apiId`, `phloId`).
 * Lenient on purpose: a field a newer server adds is ignored, and one an
 * older server lacks reads as a neutral value rather than throwing mid-call.
 */
export type Json = Record<string, unknown>;

export function str(o: Json, key: string): string {
  const v = o[key];
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

export function strOrNull(o: Json, key: string): string | null {
  const v = o[key];
  return typeof v === 'string' ? v : null;
}

export function num(o: Json, key: string): number {
  const v = o[key];
  return typeof v === 'number' ? v : Number(v ?? 0);
}

export function numOrNull(o: Json, key: string): number | null {
  const v = o[key];
  return typeof v === 'number' ? v : null;
}

export function bool(o: Json, key: string): boolean {
  return o[key] === true;
}

export function obj(o: Json, key: string): Json {
  const v = o[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

export function list(o: Json, key: string): Json[] {
  const v = o[key];
  return Array.isArray(v)
    ? v.filter((x): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x))
    : [];
}

/** A path segment. Member addresses go raw, as every Plivo SDK sends them (`+` stays a plus). */
export function segment(value: string): string {
  if (value === '') throw new TypeError('an id or address must not be empty');
  // Only what would break the path: `/`, `?`, `#`, `%` and spaces. `+`, `:` and `@` stay.
  return value.replace(/[/?#%\s]/g, (c) => encodeURIComponent(c));
}
