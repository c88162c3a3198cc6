/**
 * The shared syntax of challenges and credentials:
 *   auth-scheme LWS auth-param *(COMMA auth-param),
 *   auth-param = token EQUAL ( token / quoted-string )
 * (RFC 3261 §25.1, RFC 7235 §2.1). Both WWW-Authenticate and Authorization
 * are one scheme with its parameters per header value in SIP (§20.7, §20.44),
 * so a value is parsed as exactly one of them.
 */

export interface AuthParams {
  /** As written; compare case-insensitively (RFC 7235 §2.1). */
  scheme: string;
  /** Lower-cased parameter names → unquoted values. */
  params: Map<string, string>;
}

/** RFC 3261 §25.1 token characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~". */
const TOKEN_CHAR = /[A-Za-z0-9\-.!%*_+`'~]/;

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/**
 * Parses one header value into its scheme and parameters; null when it does
 * not follow the grammar (unterminated quote, missing "=", a parameter given
 * twice — RFC 7235 §2.1 says each name occurs once, and a repeated realm or
 * nonce would make the value ambiguous). Never throws.
 */
export function parseAuthParams(value: string): AuthParams | null {
  const s = value;
  let i = 0;
  const skipSpace = (): void => {
    while (i < s.length && isSpace(s[i])) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < s.length && TOKEN_CHAR.test(s[i]!)) i++;
    return s.slice(start, i);
  };

  skipSpace();
  const scheme = readToken();
  if (!scheme) return null;
  if (i < s.length && !isSpace(s[i])) return null;

  const params = new Map<string, string>();
  for (;;) {
    // Empty list elements ("a=1,,b=2") are allowed by the #rule (RFC 7230 §7).
    while (i < s.length && (isSpace(s[i]) || s[i] === ',')) i++;
    if (i >= s.length) break;

    const name = readToken().toLowerCase();
    if (!name) return null;
    skipSpace();
    if (s[i] !== '=') return null;
    i++;
    skipSpace();

    let paramValue: string;
    if (s[i] === '"') {
      i++;
      let out = '';
      let closed = false;
      while (i < s.length) {
        const c = s[i]!;
        if (c === '\\' && i + 1 < s.length) {
          out += s[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          closed = true;
          break;
        } else {
          out += c;
          i++;
        }
      }
      if (!closed) return null;
      paramValue = out;
    } else {
      // Lenient: real servers send unquoted values that are not tokens
      // (e.g. base64 nonces with "/" or "="), so take everything up to the
      // next separator rather than only token characters.
      const start = i;
      while (i < s.length && s[i] !== ',' && !isSpace(s[i])) i++;
      paramValue = s.slice(start, i);
      if (!paramValue) return null;
    }

    if (params.has(name)) return null;
    params.set(name, paramValue);

    skipSpace();
    if (i < s.length && s[i] !== ',') return null;
  }
  return { scheme, params };
}

/**
 * A quoted-string (RFC 3261 §25.1): backslash and double quote escaped.
 * CR and LF cannot appear even escaped (quoted-pair excludes them), and
 * letting them through would inject header lines, so they are dropped.
 */
export function quote(value: string): string {
  return `"${value.replace(/[\r\n]/g, '').replace(/["\\]/g, '\\$&')}"`;
}
