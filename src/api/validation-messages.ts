/**
 * Turns Ajv's findings into one sentence a person can act on, e.g.
 * "body field 'role' must be one of: agent, customer, supervisor".
 * (Fastify's default, "body/role must be equal to one of the allowed
 * values", names neither the field's place nor the values.)
 */
import type { FastifySchemaValidationError } from 'fastify';

type Part = 'body' | 'querystring' | 'params' | 'headers' | string;

function place(part: Part, instancePath: string): string {
  const field = instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  const kind =
    part === 'body'
      ? 'body field'
      : part === 'querystring'
        ? 'query parameter'
        : part === 'params'
          ? 'path parameter'
          : `${part} field`;
  // instancePath '' is the whole part; '/' is its property named "" (a run payload key may be "").
  if (instancePath === '')
    return part === 'body' ? 'the request body' : `the ${kind.split(' ')[0]}`;
  return `${kind} '${field}'`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  return t === 'object' ? 'an object' : t === 'string' ? 'a string' : `a ${t}`;
}

function article(type: string): string {
  return type === 'object' || type === 'array' || type === 'integer' ? `an ${type}` : `a ${type}`;
}

function orList(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** Enum values shown to people: the canonical spellings (no "", no hyphenated aliases). */
function shownValues(values: readonly unknown[]): string {
  return values
    .filter((v) => v !== '' && !(typeof v === 'string' && v.includes('-')))
    .map(String)
    .join(', ');
}

function describeOne(
  e: FastifySchemaValidationError,
  all: FastifySchemaValidationError[],
  part: Part,
) {
  const where = place(part, e.instancePath);
  const p = e.params as Record<string, unknown>;
  const data = (e as { data?: unknown }).data;
  switch (e.keyword) {
    case 'required':
      return `${place(part, `${e.instancePath}/${String(p.missingProperty)}`)} is required`;
    case 'enum':
      return `${where} must be one of: ${shownValues((p.allowedValues as unknown[]) ?? [])}`;
    case 'type': {
      const wanted = String(p.type);
      const got = data === undefined ? '' : `, not ${typeName(data)}`;
      if (where === 'the request body' && wanted === 'object') {
        return `the request body must be a JSON object${got}`;
      }
      return `${where} must be ${article(wanted)}${got}`;
    }
    case 'anyOf': {
      const types = all
        .filter((o) => o.keyword === 'type' && o.instancePath === e.instancePath)
        .map((o) => String((o.params as Record<string, unknown>).type));
      const got = data === undefined ? '' : `, not ${typeName(data)}`;
      return types.length > 0
        ? `${where} must be ${orList(types.map(article))}${got}`
        : `${where} has an unaccepted value`;
    }
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

export function schemaErrorFormatter(errors: FastifySchemaValidationError[], part: string): Error {
  // An anyOf failure is reported after its branches; the anyOf line is the useful one.
  const first = errors.find((e) => e.keyword === 'anyOf') ?? errors[0];
  const message = first ? describeOne(first, errors, part) : `invalid ${part}`;
  return new Error(message);
}
