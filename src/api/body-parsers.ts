/**
 * Request body parsers. JSON is parsed here rather than by Fastify's default
 * because the SDKs send `Content-Type: application/json` with no body at all
 * (Ruby: Content-Length 0; Go: empty chunked — PLIVO-SDK-WIRE.md §3.2),
 * which must mean "no payload", and because a malformed body deserves a
 * message that says where it broke.
 */
import type { FastifyInstance } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { HttpError } from './errors.js';

export const YAML_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml'] as const;

/** Keys that would reach an object's prototype if the parsed body were ever merged carelessly. */
function rejectPrototypeKeys(value: unknown, depth = 0): void {
  if (typeof value !== 'object' || value === null || depth > 64) return;
  if (Array.isArray(value)) {
    for (const v of value) rejectPrototypeKeys(v, depth + 1);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    if (
      key === '__proto__' ||
      (key === 'constructor' && typeof v === 'object' && v !== null && 'prototype' in v)
    ) {
      throw new HttpError(400, `malformed body: the key '${key}' is not allowed`);
    }
    rejectPrototypeKeys(v, depth + 1);
  }
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `malformed JSON body: ${(err as Error).message}`);
  }
  if (text.includes('__proto__') || text.includes('constructor')) rejectPrototypeKeys(value);
  return value;
}

export function parseYamlBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    // maxAliasCount bounds "billion laughs" expansion.
    value = parseYaml(text, { maxAliasCount: 100, prettyErrors: true });
  } catch (err) {
    throw new HttpError(400, `malformed YAML body: ${(err as Error).message.split('\n')[0]}`);
  }
  rejectPrototypeKeys(value);
  return value;
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser([...YAML_TYPES], { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseYamlBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

/**
 * "No payload" in any of its wire forms — absent, `null`, or the JSON string
 * `""` that the Node SDK sends for `run()` — becomes `{}` before the body
 * schema is checked (preValidation).
 */
export function emptyBodyAsObject(body: unknown): unknown {
  return body === undefined || body === null || body === '' ? {} : body;
}
