import { parseDocument } from 'yaml';
import { MAX_DOCUMENT_BYTES } from './types.js';

/** Aliases a YAML document may expand: enough for reuse, too few for a "billion laughs". */
const MAX_YAML_ALIASES = 100;

type Syntax = 'json' | 'yaml' | 'auto';

function syntaxOf(contentType: string | undefined): Syntax {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (/^(?:application|text)\/(?:x-)?yaml$/.test(type) || type.endsWith('+yaml')) return 'yaml';
  return 'auto';
}

function firstLine(message: string): string {
  // prettyErrors puts the offending line under the first; keep "… at line 2, column 1".
  return message.split('\n')[0]!.trim().replace(/:$/, '');
}

/**
 * Document text → a plain value. JSON when the content type says JSON;
 * YAML (a superset of JSON) otherwise. YAML is read with the 1.2 core
 * schema (so `yes` and `on` stay strings), duplicate keys refused, custom
 * tags refused, aliases bounded.
 */
export function parseText(
  input: string | Uint8Array,
  contentType?: string,
): { value: unknown } | { error: string } {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    if (input.byteLength > MAX_DOCUMENT_BYTES) return { error: tooLarge(input.byteLength) };
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return { error: 'document: not valid UTF-8 text' };
    }
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_DOCUMENT_BYTES) return { error: tooLarge(bytes) };
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '') return { error: 'document: is empty (expected JSON or YAML)' };

  const syntax = syntaxOf(contentType);
  if (syntax === 'json') {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch (err) {
      return { error: `document: not valid JSON: ${(err as Error).message}` };
    }
  }
  try {
    const doc = parseDocument(text, {
      schema: 'core',
      uniqueKeys: true,
      merge: false,
      prettyErrors: true,
      strict: true,
    });
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) {
      if (problem.code === 'MULTIPLE_DOCS') {
        return { error: "document: holds more than one YAML document ('---'); give one" };
      }
      if (problem.code === 'TAG_RESOLVE_FAILED' || /tag/i.test(problem.message)) {
        return { error: `document: YAML tags are not supported: ${firstLine(problem.message)}` };
      }
      return { error: `document: not valid YAML: ${firstLine(problem.message)}` };
    }
    return { value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown };
  } catch (err) {
    return { error: `document: not valid YAML: ${firstLine((err as Error).message)}` };
  }
}

function tooLarge(bytes: number): string {
  return `document: is too large (${bytes} bytes; at most ${MAX_DOCUMENT_BYTES})`;
}
