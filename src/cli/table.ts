/** Plain-text columns: each column as wide as its widest cell, two spaces apart, no trailing blanks. */
export function columns(rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
  );
}

/** `1h 02m`, `3m 05s`, `42s`: how long something has lasted. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** A server time (`2018-11-14 04:41:31.827796+00:00`) as milliseconds since the epoch, or NaN. */
export function serverTime(text: string | null): number {
  return text ? Date.parse(text) : NaN;
}

/** The clock part of a server time, to the millisecond (`04:41:31.827`). */
export function clockTime(text: string): string {
  const m = /(\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)/.exec(text);
  return m ? m[1] : text;
}
