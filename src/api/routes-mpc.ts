/**
 * Plivo's Multi-Party Call node: retrieve it, act on it (call, warm and cold
 * transfer), act on one of its members — with every quirk of the SDKs'
 * requests (PLIVO-SDK-WIRE.md §3) — and a clear 404 for other node types.
 */
import type { FastifyInstance } from 'fastify';
import {
  MEMBER_ACTIONS,
  NODE_ACTIONS,
  ROLES,
  toMemberAction,
  toNodeAction,
  toRole,
} from './actions.js';
import { accountOf } from './auth.js';
import { HttpError } from './errors.js';
import { documentedAs } from './documented.js';
import { pickField } from './fields.js';
import { noPayloadAsEmptyObject } from './routes-run.js';
import {
  actionResponse,
  anyMemberParams,
  anyNodeParams,
  described,
  memberActionBody,
  memberActionQuery,
  memberParams,
  nodeActionBody,
  nodeActionQuery,
  nodeParams,
  nodeResponse,
  orNoPayload,
  v1Errors,
} from './schemas.js';
import type { ApiService, NodeActionRequest } from './service.js';
import { nodeJson } from './views.js';

interface NodeParams {
  phlo_id: string;
  node_id: string;
}
interface MemberParams extends NodeParams {
  member_address: string;
}
interface AnyNodeParams extends NodeParams {
  node_type: string;
}

/** Reads and checks the fields of a node action; nothing is sent to the service before this passes. */
export function nodeActionRequest(body: unknown, query: unknown): NodeActionRequest {
  const spelling = pickField(body, query, 'action');
  if (spelling === undefined) {
    throw new HttpError(400, `action is required: one of ${NODE_ACTIONS.join(', ')}`);
  }
  const action = toNodeAction(spelling);
  if (action === undefined) {
    throw new HttpError(400, `unknown action '${spelling}': use one of ${NODE_ACTIONS.join(', ')}`);
  }
  const roleSpelling = pickField(body, query, 'role');
  const role = roleSpelling === undefined ? 'agent' : toRole(roleSpelling);
  if (role === undefined) {
    throw new HttpError(400, `unknown role '${roleSpelling}': use one of ${ROLES.join(', ')}`);
  }
  const triggerSource = pickField(body, query, 'trigger_source');
  if (triggerSource === undefined) {
    throw new HttpError(
      400,
      `trigger_source is required for ${action}: the address of the connected agent or supervisor who acts`,
    );
  }
  const to = pickField(body, query, 'to');
  if (to === undefined) {
    throw new HttpError(
      400,
      `to is required for ${action}: the phone number or sip: address to dial`,
    );
  }
  return { action, to, role, triggerSource };
}

function nodeTypeNotFound(p: AnyNodeParams, rest: string): HttpError {
  if (p.node_type === 'runs') {
    // Java's PhloRunGetter (GET /v1/phlo/{phlo}/runs/{run}).
    return new HttpError(
      404,
      `looking up a PHLO run is not available: list the calls a run started at ` +
        `/v1/phlo/${p.phlo_id}/multi_party_call/{node_id}/calls`,
    );
  }
  const hint =
    p.node_type === 'conference_bridge'
      ? " (Python's client.phlo.member() defaults to node_type='conference_bridge': pass node_type='multi_party_call')"
      : '';
  return new HttpError(
    404,
    `node type '${p.node_type}' does not exist: Partyline PHLOs have only multi_party_call nodes, ` +
      `at /v1/phlo/${p.phlo_id}/multi_party_call/${p.node_id}${rest}${hint}`,
  );
}

export function mpcRoutes(service: ApiService) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.get<{ Params: NodeParams }>(
      '/v1/phlo/:phlo_id/multi_party_call/:node_id',
      {
        schema: {
          operationId: 'getMultiPartyCall',
          summary: 'Retrieve a Multi-Party Call node',
          description: 'Unknown query parameters (the Node SDK adds ?phlo_id=…) are ignored.',
          tags: ['Multi-Party Call'],
          params: nodeParams,
          response: {
            200: described('The Multi-Party Call node', nodeResponse),
            ...v1Errors(false),
          },
        },
      },
      async (request) => {
        const { phlo_id, node_id } = request.params;
        const node = await service.getNode(accountOf(request), phlo_id, node_id);
        return { api_id: request.id, ...nodeJson(node) };
      },
    );

    app.post<{ Params: NodeParams }>(
      '/v1/phlo/:phlo_id/multi_party_call/:node_id',
      {
        preValidation: noPayloadAsEmptyObject,
        config: documentedAs({ body: orNoPayload(nodeActionBody) }),
        schema: {
          operationId: 'updateMultiPartyCall',
          summary: 'call, warm_transfer or cold_transfer',
          description:
            'Fields come from the body, or from the query string when the body lacks them (.NET). ' +
            '"" counts as absent (Go). role defaults to agent.',
          tags: ['Multi-Party Call'],
          consumes: ['application/json', 'application/x-www-form-urlencoded'],
          params: nodeParams,
          querystring: nodeActionQuery,
          body: nodeActionBody,
          response: {
            201: described(
              'Accepted; the outcome arrives as member state and events',
              actionResponse,
            ),
            ...v1Errors(true),
          },
        },
      },
      async (request, reply) => {
        const { phlo_id, node_id } = request.params;
        const action = nodeActionRequest(request.body, request.query);
        await service.nodeAction(accountOf(request), phlo_id, node_id, action, request.id);
        void reply.code(201);
        return { api_id: request.id, error: '' };
      },
    );

    app.post<{ Params: MemberParams }>(
      '/v1/phlo/:phlo_id/multi_party_call/:node_id/members/:member_address',
      {
        preValidation: noPayloadAsEmptyObject,
        config: documentedAs({ body: orNoPayload(memberActionBody) }),
        schema: {
          operationId: 'updateMember',
          summary: 'Act on one member of the call',
          description:
            'member_address arrives raw (+14155550100; a + is a plus) or percent-encoded. ' +
            'action comes from the body, or from the query string (.NET: body {}, ?action=hold).',
          tags: ['Multi-Party Call'],
          consumes: ['application/json', 'application/x-www-form-urlencoded'],
          params: memberParams,
          querystring: memberActionQuery,
          body: memberActionBody,
          response: { 201: described('Accepted', actionResponse), ...v1Errors(true) },
        },
      },
      async (request, reply) => {
        const { phlo_id, node_id, member_address } = request.params;
        const spelling = pickField(request.body, request.query, 'action');
        if (spelling === undefined) {
          throw new HttpError(400, `action is required: one of ${MEMBER_ACTIONS.join(', ')}`);
        }
        const action = toMemberAction(spelling);
        if (action === undefined) {
          throw new HttpError(
            400,
            `unknown action '${spelling}': use one of ${MEMBER_ACTIONS.join(', ')}`,
          );
        }
        await service.memberAction(
          accountOf(request),
          phlo_id,
          node_id,
          member_address,
          action,
          request.id,
        );
        void reply.code(201);
        return { api_id: request.id, error: '' };
      },
    );

    // Other node types (Python's conference_bridge default, Java's runs/…): a 404 that says why.
    const hidden = { hide: true, params: anyNodeParams, response: v1Errors(true) };
    app.get<{ Params: AnyNodeParams }>(
      '/v1/phlo/:phlo_id/:node_type/:node_id',
      { schema: hidden },
      async (request) => {
        throw nodeTypeNotFound(request.params, '');
      },
    );
    app.post<{ Params: AnyNodeParams }>(
      '/v1/phlo/:phlo_id/:node_type/:node_id',
      { schema: hidden },
      async (request) => {
        throw nodeTypeNotFound(request.params, '');
      },
    );
    app.post<{ Params: AnyNodeParams & { member_address: string } }>(
      '/v1/phlo/:phlo_id/:node_type/:node_id/members/:member_address',
      { schema: { ...hidden, params: anyMemberParams } },
      async (request) => {
        throw nodeTypeNotFound(request.params, `/members/${request.params.member_address}`);
      },
    );
  };
}
