/**
 * Lenient reading of `value;name=value;name="quoted value"` header values
 * (Content-Type and Content-Disposition, RFC 3261 §20.15, §20.11; Reason,
 * RFC 3326 §2): it never throws, and the caller decides what a malformed
 * piece means. The strict grammar of the parser is in syntax.ts.
 */

/** Splits on `;` outside double quotes; inside them a backslash escapes the next character (RFC 3261 §25.1). */
export function splitParamsOutsideQuotes(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) {
      out.push(value.slice(start, i));
      start = i + 1;
    }
  }
  out.push(value.slice(start));
  return out;
}

/** `v` without its enclosing double quotes, quoted-pairs resolved (RFC 2045 §5.1); `v` itself when it is not quoted. */
export function unquoteLenient(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"'))
    return v.slice(1, -1).replace(/\\(.)/g, '$1');
  return v;
}
