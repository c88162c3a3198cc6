import { parseText } from './input.js';
import type { PhloDocument } from './types.js';
import { validateDocument } from './validate.js';

/**
 * A PHLO document from a request body or a file: a string or bytes (JSON
 * or YAML; `contentType` says which, else YAML, which reads JSON too), or
 * an already parsed value (a JSON body). Every problem is reported, each
 * naming its field path (`nodes[0].ring_timeout: must be an integer from 5
 * to 300 (got "abc")`). Node ids, if present, are kept for assignIds to
 * judge. Never throws.
 */
export function parsePhloDocument(
  input: unknown,
  contentType?: string,
): { document: PhloDocument } | { errors: string[] } {
  try {
    let value = input;
    if (typeof input === 'string' || input instanceof Uint8Array) {
      const parsed = parseText(input, contentType);
      if ('error' in parsed) return { errors: [parsed.error] };
      value = parsed.value;
    }
    return validateDocument(value);
  } catch (err) {
    // Nothing above should throw; a hostile value (a getter that throws, a Proxy) might.
    return { errors: [`document: could not be read (${(err as Error)?.message ?? String(err)})`] };
  }
}
