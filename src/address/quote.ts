/** Longest slice of a rejected value repeated back in an error message. */
const SHOWN_CHARS = 64;

/**
 * The value as it appears in an error message: in single quotes, control
 * characters and quotes escaped (so a log line cannot be forged with a
 * CR/LF inside an address), long values cut short.
 */
export function quote(raw: string): string {
  const cut = raw.length > SHOWN_CHARS ? raw.slice(0, SHOWN_CHARS) : raw;
  let out = '';
  for (const ch of cut) {
    const code = ch.codePointAt(0)!;
    if (ch === "'" || ch === '\\') out += '\\' + ch;
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) {
      out += '\\x' + code.toString(16).padStart(2, '0');
    } else if (code === 0x2028 || code === 0x2029) out += '\\u' + code.toString(16);
    else out += ch;
  }
  return `'${out}${raw.length > SHOWN_CHARS ? '…' : ''}'`;
}
