/** A value as an error message shows it after "got": strings quoted, long ones cut. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') {
    const cut = value.length > 60 ? value.slice(0, 60) + '…' : value;
    return JSON.stringify(cut);
  }
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return String(value);
}

/** `['a', 'b']` → `'a', 'b'`. */
export function listNames(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(', ');
}

// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
