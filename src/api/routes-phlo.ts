/**
 * PHLOs: Plivo's `GET /v1/phlo/{phlo_id}`, and our management extensions
 * (create, replace, list, delete) under the same auth and conventions.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { accountOf } from './auth.js';
import { HttpError } from './errors.js';
import { YAML_TYPES } from './body-parsers.js';
import {
  deletedResponse,
  described,
  phloDocumentBody,
  phloListResponse,
  phloParams,
  phloResponse,
  v1Errors,
} from './schemas.js';
import type { ApiService } from './service.js';
import { phloJson } from './views.js';

interface PhloParams {
  phlo_id: string;
}

const DOCUMENT_TYPES = ['application/json', ...YAML_TYPES];

async function requireDocument(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) {
    throw new HttpError(
      400,
      'the request body must be the PHLO document (JSON, or YAML with Content-Type application/yaml)',
    );
  }
}

export function phloRoutes(service: ApiService) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.get<{ Params: PhloParams }>(
      '/v1/phlo/:phlo_id',
      {
        schema: {
          operationId: 'getPhlo',
          summary: 'Retrieve a PHLO',
          tags: ['PHLO'],
          params: phloParams,
          response: { 200: described('The PHLO', phloResponse), ...v1Errors(false) },
        },
      },
      async (request) => {
        const phlo = await service.getPhlo(accountOf(request), request.params.phlo_id);
        return { api_id: request.id, ...phloJson(phlo) };
      },
    );

    app.get(
      '/v1/phlo',
      {
        schema: {
          operationId: 'listPhlos',
          summary: "List the account's PHLOs (extension)",
          tags: ['Partyline extensions'],
          response: { 200: described("The account's PHLOs", phloListResponse), ...v1Errors(false) },
        },
      },
      async (request) => {
        const phlos = await service.listPhlos(accountOf(request));
        return { api_id: request.id, phlos: phlos.map(phloJson) };
      },
    );

    app.post(
      '/v1/phlo',
      {
        preValidation: requireDocument,
        schema: {
          operationId: 'createPhlo',
          summary: 'Create a PHLO from a document (extension)',
          tags: ['Partyline extensions'],
          consumes: DOCUMENT_TYPES,
          body: phloDocumentBody,
          response: { 201: described('The PHLO created', phloResponse), ...v1Errors(true) },
        },
      },
      async (request, reply) => {
        const phlo = await service.createPhlo(accountOf(request), request.body, request.id);
        void reply.code(201);
        return { api_id: request.id, ...phloJson(phlo) };
      },
    );

    app.put<{ Params: PhloParams }>(
      '/v1/phlo/:phlo_id',
      {
        preValidation: requireDocument,
        schema: {
          operationId: 'replacePhlo',
          summary: "Replace a PHLO's document (extension)",
          tags: ['Partyline extensions'],
          consumes: DOCUMENT_TYPES,
          params: phloParams,
          body: phloDocumentBody,
          response: { 200: described('The PHLO, new version', phloResponse), ...v1Errors(true) },
        },
      },
      async (request) => {
        const phlo = await service.replacePhlo(
          accountOf(request),
          request.params.phlo_id,
          request.body,
          request.id,
        );
        return { api_id: request.id, ...phloJson(phlo) };
      },
    );

    app.delete<{ Params: PhloParams }>(
      '/v1/phlo/:phlo_id',
      {
        schema: {
          operationId: 'deletePhlo',
          summary: 'Delete a PHLO (extension)',
          tags: ['Partyline extensions'],
          params: phloParams,
          response: { 200: described('Deleted', deletedResponse), ...v1Errors(false) },
        },
      },
      async (request) => {
        const { phlo_id } = request.params;
        await service.deletePhlo(accountOf(request), phlo_id, request.id);
        return { api_id: request.id, message: `PHLO ${phlo_id} deleted` };
      },
    );
  };
}
