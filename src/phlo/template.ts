import { describeValue } from './describe.js';
import type { RunPayload } from './types.js';

/*
 * Templates: literal text with `{{start.<key>}}` placeholders (spaces inside
 * the braces allowed), replaced by the run payload's `<key>`. Nothing else:
 * no expressions, no filters, no other roots — a template is data, never code.
 */

export type TemplatePart = { literal: string } | { key: string };

const PLACEHOLDER = /^start\.([A-Za-z0-9_-]+)$/;

/** The parts of `text`, or why it is not a template (for the parse-time check). */
export function parseTemplate(text: string): { parts: TemplatePart[] } | { error: string } {
  const parts: TemplatePart[] = [];
  let rest = text;
  while (rest !== '') {
    const open = rest.indexOf('{{');
    const strayClose = rest.indexOf('}}');
    if (strayClose >= 0 && (open < 0 || strayClose < open)) {
      return { error: "'}}' without an opening '{{'" };
    }
    if (open < 0) {
      parts.push({ literal: rest });
      break;
    }
    if (open > 0) parts.push({ literal: rest.slice(0, open) });
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) return { error: "'{{' without a closing '}}'" };
    const inner = rest.slice(open + 2, close).trim();
    const m = PLACEHOLDER.exec(inner);
    if (!m) {
      return {
        error: `unknown placeholder '{{${inner}}}' (only {{start.<key>}} is supported, e.g. {{start.from}})`,
      };
    }
    parts.push({ key: m[1]! });
    rest = rest.slice(close + 2);
  }
  return { parts };
}

/** The payload keys a template reads. */
export function templateKeys(text: string): string[] {
  const parsed = parseTemplate(text);
  if ('error' in parsed) return [];
  return parsed.parts.flatMap((p) => ('key' in p ? [p.key] : []));
}

/**
 * `renderTemplate("{{start.from}}", { start: payload })`. A payload value
 * must be a string or a non-negative safe integer (a number sent unquoted).
 * `path` names the field for the message ("run payload has no 'from'
 * (needed by nodes[0].from)"). Never throws.
 */
export function renderTemplate(
  template: string,
  context: { start: RunPayload },
  path?: string,
): { value: string } | { error: string } {
  const parsed = parseTemplate(template);
  const where = path ? ` (needed by ${path})` : '';
  if ('error' in parsed) return { error: `${path ? path + ': ' : ''}${parsed.error}` };
  const payload = context.start;
  let out = '';
  for (const part of parsed.parts) {
    if ('literal' in part) {
      out += part.literal;
      continue;
    }
    const has = payload !== null && typeof payload === 'object' && Object.hasOwn(payload, part.key);
    const value = has ? payload[part.key] : undefined;
    if (value === undefined || value === null) {
      return { error: `run payload has no '${part.key}'${where}` };
    }
    if (typeof value === 'string') out += value;
    else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
      out += String(value);
    } else {
      return {
        error: `run payload '${part.key}' must be a string (got ${describeValue(value)})${where}`,
      };
    }
  }
  return { value: out };
}
