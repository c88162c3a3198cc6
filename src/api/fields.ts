/**
 * Where a request's fields come from. The .NET SDK puts `action` (and
 * `to`/`role`/`trigger_source`) in the query string, sometimes only there
 * (member actions: body `{}`, `?action=hold`); Go sends every key, `""` when
 * unset. So: the body's non-empty value, else the query's, else absent
 * (PLIVO-SDK-WIRE.md §3.3-3.4).
 */
import { HttpError } from './errors.js';

export type Fields = Readonly<Record<string, unknown>>;

function asObject(value: unknown): Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Fields)
    : {};
}

function present(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function pickField(body: unknown, query: unknown, name: string): string | undefined {
  const b = asObject(body);
  const fromBody = Object.hasOwn(b, name) ? present(b[name]) : undefined;
  if (fromBody !== undefined) return fromBody;
  const q = asObject(query);
  return Object.hasOwn(q, name) ? present(q[name]) : undefined;
}

/**
 * The run payload: the body's keys (values as strings), plus query keys the
 * body lacks (.NET duplicates the payload into the query string). `null`
 * values are dropped, as if absent. The schema has already refused nested
 * values; a stray one here is refused too.
 */
export function runPayload(body: unknown, query: unknown): Record<string, string> {
  const entries = new Map<string, string>();
  const add = (key: string, value: unknown, where: string) => {
    if (value === null || value === undefined || entries.has(key)) return;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      entries.set(key, String(value));
      return;
    }
    throw new HttpError(400, `${where} '${key}' must be a string, number or boolean`);
  };
  for (const [k, v] of Object.entries(asObject(body))) add(k, v, 'body field');
  for (const [k, v] of Object.entries(asObject(query))) add(k, v, 'query parameter');
  // fromEntries defines own properties, so a key like "__proto__" stays plain data.
  return Object.fromEntries(entries);
}
