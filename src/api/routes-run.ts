/** Plivo's run endpoint (the PHLO's API trigger). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { accountOf } from './auth.js';
import { emptyBodyAsObject } from './body-parsers.js';
import { HttpError } from './errors.js';
import { runPayload } from './fields.js';
import { documentedAs } from './documented.js';
import {
  described,
  orNoPayload,
  runBody,
  runParams,
  runQuery,
  runQueryDocumented,
  runResponse,
  v1Errors,
} from './schemas.js';
import type { ApiService } from './service.js';
import { runJson } from './views.js';

interface RunParams {
  auth_id: string;
  phlo_id: string;
}

/** `{}`, no body, empty chunked and `""` (Node SDK) all mean "no payload" (wire §3.2). */
export async function noPayloadAsEmptyObject(request: FastifyRequest): Promise<void> {
  request.body = emptyBodyAsObject(request.body);
}

export function runRoutes(service: ApiService) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.post<{ Params: RunParams; Querystring: Record<string, string> }>(
      '/v1/account/:auth_id/phlo/:phlo_id',
      {
        preValidation: noPayloadAsEmptyObject,
        config: documentedAs({ body: orNoPayload(runBody), querystring: runQueryDocumented }),
        schema: {
          operationId: 'runPhlo',
          summary: 'Run a PHLO (API trigger)',
          tags: ['PHLO'],
          consumes: ['application/json', 'application/x-www-form-urlencoded'],
          params: runParams,
          querystring: runQuery,
          body: runBody,
          response: { 201: described('The run started', runResponse), ...v1Errors(true) },
        },
      },
      async (request, reply) => {
        const authId = accountOf(request);
        const { auth_id: authIdInPath, phlo_id } = request.params;
        // Another account's URL: answer as for a PHLO that does not exist (never reveal it).
        if (authIdInPath !== authId) throw new HttpError(404, `PHLO ${phlo_id} not found`);
        const payload = runPayload(request.body, request.query);
        const result = await service.run(authId, authIdInPath, phlo_id, payload, request.id);
        void reply.code(201);
        return { api_id: request.id, ...runJson(result) };
      },
    );
  };
}
