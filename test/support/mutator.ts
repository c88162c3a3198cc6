/**
 * A seeded, reproducible message mutator for fuzz tests: the same seed gives
 * the same sequence of mutants, so a failure can be replayed from its seed
 * and index.
 */

/** mulberry32: a tiny, fast 32-bit PRNG with good enough spread for fuzzing. */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;

function int(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[int(rng, items.length)]!;
}

/** Fragments that stress SIP parsers: delimiters, quotes, escapes, numbers, NULs, folding. */
const NASTY: readonly Buffer[] = [
  '"',
  '\\',
  '\\"',
  '<',
  '>',
  ',',
  ';',
  ':',
  '=',
  '@',
  '[',
  ']',
  '[::1]',
  '%',
  '%0',
  '%zz',
  '%00',
  '\0',
  '\0\0\0\0',
  ' ',
  '\t',
  '\r',
  '\n',
  '\r\n',
  '\r\n ',
  '\r\n\r\n',
  '\n\n',
  '99999999999999999999',
  '4294967296',
  '-1',
  '0',
  '65536',
  'sip:',
  'sips:[',
  'tel:+',
  'SIP/2.0',
  ';tag=',
  ';branch=',
  'Content-Length: 999999\r\n',
  'l: -5\r\n',
  'Via: SIP/2.0/UDP [2001:db8::1]:5060;rport;received=::1\r\n',
  'v: ,,,\r\n',
  'Contact: *\r\n',
  '\u00e9\u00e8',
  '\u{1F600}',
].map((s) => Buffer.from(s, 'utf8'));

/** Single mutation operators; each returns a new buffer. */
const OPERATORS: ReadonlyArray<(b: Buffer, rng: Rng) => Buffer> = [
  // Flip one bit.
  (b, rng) => {
    if (b.length === 0) return b;
    const out = Buffer.from(b);
    out[int(rng, out.length)]! ^= 1 << int(rng, 8);
    return out;
  },
  // Overwrite a few bytes with random values.
  (b, rng) => {
    if (b.length === 0) return b;
    const out = Buffer.from(b);
    const n = 1 + int(rng, 4);
    for (let i = 0; i < n; i++) out[int(rng, out.length)] = int(rng, 256);
    return out;
  },
  // Delete a range.
  (b, rng) => {
    const at = int(rng, b.length + 1);
    const len = int(rng, Math.min(64, b.length - at) + 1);
    return Buffer.concat([b.subarray(0, at), b.subarray(at + len)]);
  },
  // Duplicate a range in place.
  (b, rng) => {
    const at = int(rng, b.length + 1);
    const len = int(rng, Math.min(128, b.length - at) + 1);
    const r = b.subarray(at, at + len);
    return Buffer.concat([b.subarray(0, at + len), r, b.subarray(at + len)]);
  },
  // Insert random bytes.
  (b, rng) => {
    const at = int(rng, b.length + 1);
    const ins = Buffer.alloc(1 + int(rng, 16));
    for (let i = 0; i < ins.length; i++) ins[i] = int(rng, 256);
    return Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
  },
  // Insert a nasty fragment.
  (b, rng) => {
    const at = int(rng, b.length + 1);
    return Buffer.concat([b.subarray(0, at), pick(rng, NASTY), b.subarray(at)]);
  },
  // Replace a run of digits with a huge or odd number.
  (b, rng) => {
    const digits: number[] = [];
    for (let i = 0; i < b.length; i++) if (b[i]! >= 0x30 && b[i]! <= 0x39) digits.push(i);
    if (digits.length === 0) return b;
    let start = pick(rng, digits);
    let end = start;
    while (start > 0 && b[start - 1]! >= 0x30 && b[start - 1]! <= 0x39) start--;
    while (end < b.length && b[end]! >= 0x30 && b[end]! <= 0x39) end++;
    const num = pick(rng, [
      '99999999999999999999999',
      '4294967296',
      '0',
      '-1',
      '00000001',
      '65536',
      '256',
    ]);
    return Buffer.concat([b.subarray(0, start), Buffer.from(num), b.subarray(end)]);
  },
  // Line surgery: swap, drop or duplicate whole lines.
  (b, rng) => {
    const lines = splitLines(b);
    if (lines.length < 2) return b;
    const i = int(rng, lines.length);
    const j = int(rng, lines.length);
    switch (int(rng, 3)) {
      case 0:
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        break;
      case 1:
        lines.splice(i, 1);
        break;
      default:
        lines.splice(i, 0, lines[j]!);
    }
    return Buffer.concat(lines);
  },
  // Swap line endings: CRLF -> LF, or LF -> CRLF, on all lines or one.
  (b, rng) => {
    const text = b.toString('latin1');
    const all = rng() < 0.5;
    if (rng() < 0.5)
      return Buffer.from(all ? text.replace(/\r\n/g, '\n') : text.replace('\r\n', '\n'), 'latin1');
    return Buffer.from(
      all ? text.replace(/\r\n/g, '\r\r\n') : text.replace('\n', '\r\n\r\n'),
      'latin1',
    );
  },
  // Fold a line: turn a space into CRLF + whitespace.
  (b, rng) => {
    const spaces: number[] = [];
    for (let i = 0; i < b.length; i++) if (b[i] === 0x20) spaces.push(i);
    if (spaces.length === 0) return b;
    const at = pick(rng, spaces);
    return Buffer.concat([
      b.subarray(0, at),
      Buffer.from(rng() < 0.5 ? '\r\n ' : '\r\n\t'),
      b.subarray(at + 1),
    ]);
  },
  // Truncate.
  (b, rng) => b.subarray(0, int(rng, b.length + 1)),
];

/** Lines including their terminators, so concatenation restores the input. */
function splitLines(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = b.indexOf(0x0a, start);
    if (nl < 0) break;
    out.push(b.subarray(start, nl + 1));
    start = nl + 1;
  }
  if (start < b.length) out.push(b.subarray(start));
  return out;
}

/** Applies one to four random mutations to `input` (which is not modified). */
export function mutate(input: Buffer, rng: () => number): Buffer {
  let out = input;
  const n = 1 + int(rng, 4);
  for (let i = 0; i < n; i++) out = pick(rng, OPERATORS)(out, rng);
  return out === input ? Buffer.from(input) : out;
}
