import { parsePhloDocument } from './parse.js';
import type { IdentifiedNode, IdentifiedPhloDocument } from './types.js';

/**
 * A document as the store keeps it (the JSON of an IdentifiedPhloDocument)
 * read back in today's validated form. Parsing it again, rather than only
 * `JSON.parse`, fills in the defaults of fields added since it was stored
 * (`max_duration`, `enter_sound`, `end_on_exit`…), so a PHLO stored by an
 * older version runs with the same settings a new one gets. Refused when
 * it no longer validates or a node has no id. Never throws.
 */
export function readStoredDocument(
  json: string,
): { document: IdentifiedPhloDocument } | { errors: string[] } {
  const parsed = parsePhloDocument(json, 'application/json');
  if ('errors' in parsed) return parsed;
  const missing = parsed.document.nodes.findIndex((n) => n.id === undefined);
  if (missing >= 0) return { errors: [`nodes[${missing}].id: a stored node has no id`] };
  return {
    document: { ...parsed.document, nodes: parsed.document.nodes as IdentifiedNode[] },
  };
}
