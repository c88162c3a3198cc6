/** Extensions: the calls (MPC instances) of a node, their members and event history. */
import type { FastifyInstance } from 'fastify';
import { toMemberAction } from './actions.js';
import { accountOf } from './auth.js';
import { HttpError } from './errors.js';
import {
  actionResponse,
  callDetailResponse,
  callMemberParams,
  callParams,
  callsQuery,
  callsResponse,
  described,
  memberByIdActionBody,
  nodeParams,
  v1Errors,
} from './schemas.js';
import type { ApiService } from './service.js';
import { callDetailJson, callJson } from './views.js';

interface NodeParams {
  phlo_id: string;
  node_id: string;
}

export function callRoutes(service: ApiService) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.get<{ Params: NodeParams; Querystring: { live?: boolean; limit?: number } }>(
      '/v1/phlo/:phlo_id/multi_party_call/:node_id/calls',
      {
        schema: {
          operationId: 'listCalls',
          summary: "List a node's calls (extension)",
          tags: ['Partyline extensions'],
          params: nodeParams,
          querystring: callsQuery,
          response: { 200: described("The node's calls", callsResponse), ...v1Errors(false) },
        },
      },
      async (request) => {
        const { phlo_id, node_id } = request.params;
        const { live, limit } = request.query;
        const options: { live?: boolean; limit?: number } = {};
        if (live !== undefined) options.live = live;
        if (limit !== undefined) options.limit = limit;
        const calls = await service.listCalls(accountOf(request), phlo_id, node_id, options);
        return { api_id: request.id, calls: calls.map(callJson) };
      },
    );

    app.get<{ Params: NodeParams & { call_id: string } }>(
      '/v1/phlo/:phlo_id/multi_party_call/:node_id/calls/:call_id',
      {
        schema: {
          operationId: 'getCall',
          summary: 'One call with its members and event history (extension)',
          tags: ['Partyline extensions'],
          params: callParams,
          response: {
            200: described('The call, its members and events', callDetailResponse),
            ...v1Errors(false),
          },
        },
      },
      async (request) => {
        const { phlo_id, node_id, call_id } = request.params;
        const call = await service.getCall(accountOf(request), phlo_id, node_id, call_id);
        return { api_id: request.id, ...callDetailJson(call) };
      },
    );

    // By id, so a console acts on exactly the member it shows (an address may
    // be in two calls of a node, or twice in one call over time).
    app.post<{
      Params: NodeParams & { call_id: string; member_id: string };
      Body: { action: string };
    }>(
      '/v1/phlo/:phlo_id/multi_party_call/:node_id/calls/:call_id/members/:member_id',
      {
        schema: {
          operationId: 'updateCallMember',
          summary: 'Act on one member of a live call by its id (extension)',
          description:
            'Every member action of the PHLO API, plus supervisor modes: coach (heard by the ' +
            'agents only, hears everyone), barge (heard by all), listen (hears all, heard by none).',
          tags: ['Partyline extensions'],
          params: callMemberParams,
          body: memberByIdActionBody,
          response: { 201: described('Accepted', actionResponse), ...v1Errors(true) },
        },
      },
      async (request, reply) => {
        const { phlo_id, node_id, call_id, member_id } = request.params;
        const action = toMemberAction(request.body.action);
        // The schema's enum already holds every spelling; this keeps the types honest.
        if (action === undefined)
          throw new HttpError(400, `unknown action '${request.body.action}'`);
        await service.memberActionById(
          accountOf(request),
          phlo_id,
          node_id,
          call_id,
          member_id,
          action,
          request.id,
        );
        void reply.code(201);
        return { api_id: request.id, error: '' };
      },
    );
  };
}
