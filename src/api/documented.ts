/**
 * Where the OpenAPI document shows a route's input differently from how
 * Fastify validates it. @fastify/swagger builds the document from the
 * validation schemas, which cannot say everything the wire allows: free-form
 * query keys, and a body that may be "no payload" (PLIVO-SDK-WIRE.md §3.2),
 * which preValidation turns into {} before the body schema sees it.
 */
import type { SwaggerTransform } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';

/** Route `config` whose document shows these schemas instead of the validated ones. */
export function documentedAs(shown: Pick<FastifySchema, 'body' | 'querystring'>): {
  swaggerTransform: SwaggerTransform;
} {
  return { swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, ...shown }, url }) };
}

/** Operations whose body may be absent: @fastify/swagger marks every body required. */
export const OPTIONAL_BODY_OPERATIONS: ReadonlySet<string> = new Set([
  'runPhlo',
  'updateMultiPartyCall',
  'updateMember',
]);

type Document = { paths?: Record<string, Record<string, unknown> | undefined> };

/** `transformObject` for @fastify/swagger: the bodies of OPTIONAL_BODY_OPERATIONS are optional. */
export function optionalBodies<D>(document: D): D {
  for (const item of Object.values((document as Document).paths ?? {})) {
    for (const op of Object.values(item ?? {})) {
      const o = op as { operationId?: string; requestBody?: { required?: boolean } };
      if (o?.requestBody && o.operationId && OPTIONAL_BODY_OPERATIONS.has(o.operationId)) {
        o.requestBody.required = false;
      }
    }
  }
  return document;
}
