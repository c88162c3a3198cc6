/** Extensions: the calls (MPC instances) of a node, their members and event history. */
import type { FastifyInstance } from 'fastify';
import { accountOf } from './auth.js';
import {
  callDetailResponse,
  callParams,
  callsQuery,
  callsResponse,
  described,
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
  };
}
