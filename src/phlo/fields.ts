import { isAddressError, normalizeAddress } from '../address/index.js';
import { checkAudioSpec } from './audio-spec.js';
import { CONTROL_CHARS, describeValue } from './describe.js';
import { parseTemplate, type TemplatePart } from './template.js';
import { MAX_ADDRESS_TEMPLATE_LENGTH } from './types.js';

/*
 * Field readers shared by the document, start and node validators. Each
 * reads one value, reports what is wrong with it under its path, and
 * returns the value (or its default) for the validated form.
 */

/** More than this many problems at once helps nobody; the first ones are reported. */
const MAX_ERRORS = 50;

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.raw(`${path}: ${message}`);
  }
  /** A message that already names its field (from the address layer). */
  raw(message: string): void {
    if (this.list.length < MAX_ERRORS) this.list.push(message);
  }
}

/** Refuses every key of `value` not in `known`, naming it (`nodes[0].colour: unknown field …`). */
export function checkFields(
  value: Mapping,
  path: string,
  known: readonly string[],
  problems: Problems,
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const at = path ? `${path}.${key}` : key;
    problems.add(at, `unknown field (expected one of ${known.join(', ')})`);
  }
}

export function text(
  value: unknown,
  path: string,
  max: number,
  problems: Problems,
  required: boolean,
  multiline = false,
): string | undefined {
  if (value === undefined) {
    if (required) problems.add(path, 'required');
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.add(path, `must be a string (got ${describeValue(value)})`);
    return undefined;
  }
  const trimmed = value.trim();
  if (trimmed === '') problems.add(path, 'must not be empty');
  else if (trimmed.length > max) problems.add(path, `is too long (at most ${max} characters)`);
  else if (CONTROL_CHARS.test(multiline ? trimmed.replace(/[\r\n\t]/g, ' ') : trimmed)) {
    problems.add(path, 'must not contain control characters');
  } else return trimmed;
  return undefined;
}

export function integer(
  value: unknown,
  path: string,
  range: { min: number; max: number; default: number },
  problems: Problems,
): number {
  if (value === undefined) return range.default;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < range.min ||
    value > range.max
  ) {
    problems.add(
      path,
      `must be an integer from ${range.min} to ${range.max} (got ${describeValue(value)})`,
    );
    return range.default;
  }
  return value;
}

/** true or false only: YAML 1.2 reads `yes`/`on` as strings, and those are refused, not guessed. */
export function boolean(
  value: unknown,
  path: string,
  fallback: boolean,
  problems: Problems,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    problems.add(path, `must be true or false (got ${describeValue(value)})`);
    return fallback;
  }
  return value;
}

export function audio(value: unknown, path: string, problems: Problems): string | undefined {
  if (value === undefined) return undefined;
  const problem = checkAudioSpec(value);
  if (problem) {
    problems.add(path, problem);
    return undefined;
  }
  return value as string;
}

/**
 * Payload keys an inbound call provides (`{ from: caller, to: called }`):
 * a template rendered for an incoming run may read only these.
 */
export const INCOMING_KEYS: readonly string[] = ['from', 'to'];

/**
 * A template's parts, or undefined after reporting why it is not one.
 * With `onlyKeys`, a placeholder reading any other key is refused: the
 * template is rendered for an inbound call, whose payload has only those.
 */
export function templateParts(
  value: string,
  path: string,
  problems: Problems,
  onlyKeys?: readonly string[],
): TemplatePart[] | undefined {
  const parsed = parseTemplate(value);
  if ('error' in parsed) {
    problems.add(path, parsed.error);
    return undefined;
  }
  if (onlyKeys) {
    const other = parsed.parts.find((p) => 'key' in p && !onlyKeys.includes(p.key));
    if (other && 'key' in other) {
      problems.add(
        path,
        `{{start.${other.key}}} is not known when an incoming call starts this node: ` +
          'its payload has only from (the caller) and to (the number or user called)',
      );
      return undefined;
    }
  }
  return parsed.parts;
}

/** Whether a template is plain text (no placeholder): then it is checked as a value now. */
export function isLiteral(parts: readonly TemplatePart[]): boolean {
  return parts.every((p) => 'literal' in p);
}

/**
 * A `from`/`to`/`caller_id`/agent value: an address, or a template producing one.
 * Literal addresses are checked now; templated ones when a run renders them.
 */
export function addressTemplate(
  value: unknown,
  path: string,
  problems: Problems,
  required: boolean,
  onlyKeys?: readonly string[],
): string | undefined {
  if (value === undefined) {
    if (required) problems.add(path, 'required (an address, or a template such as {{start.from}})');
    return undefined;
  }
  if (typeof value === 'number') {
    // YAML reads `from: +14155550100` as the number 14155550100, dropping the '+'.
    problems.add(
      path,
      `must be a string (got the number ${value}; quote it in YAML, e.g. "+${value}")`,
    );
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.add(path, `must be a string (got ${describeValue(value)})`);
    return undefined;
  }
  if (value.length > MAX_ADDRESS_TEMPLATE_LENGTH) {
    problems.add(path, `is too long (at most ${MAX_ADDRESS_TEMPLATE_LENGTH} characters)`);
    return undefined;
  }
  const parts = templateParts(value, path, problems, onlyKeys);
  if (!parts) return undefined;
  if (isLiteral(parts)) {
    const address = normalizeAddress(value, path);
    if (isAddressError(address)) {
      problems.raw(address.error);
      return undefined;
    }
  }
  return value;
}
