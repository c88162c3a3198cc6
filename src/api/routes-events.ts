/**
 * Extension: the live stream of the account's calls (event-stream.ts) as
 * Server-Sent Events. Same Basic auth as every /v1 route, so a browser
 * reads it with fetch() and an Authorization header (EventSource cannot
 * send one, and a token never goes in a URL).
 */
import type { FastifyInstance } from 'fastify';
import { accountOf } from './auth.js';
import type { EventHub, StreamFilter } from './event-stream.js';
import { HttpError } from './errors.js';
import { v1Errors } from './schemas.js';
import type { ApiService } from './service.js';

const STREAM_DESCRIPTION = `Server-Sent Events (text/event-stream). First \`snapshot\` {calls}: the
account's live calls, each a call object with \`talking\` (ids of the members talking now). Then
\`call\`: a call after a change (the same object) with \`events\` (the events that change stored,
without seq: read the call's history for it); \`talking\`: {call_id, phlo_id, node_id, member_id,
talking}, at most every 250 ms per member. Every frame has an id; reconnect with Last-Event-ID to
get what was missed (or a new snapshot when that is not possible). A comment line every 15 s keeps
the stream open.`;

interface StreamQuery {
  phlo_id?: string;
  node_id?: string;
}

export function eventRoutes(service: ApiService, hub: EventHub) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.get<{ Querystring: StreamQuery }>(
      '/v1/events/stream',
      {
        schema: {
          operationId: 'streamEvents',
          summary: "Live changes of the account's calls, as Server-Sent Events (extension)",
          description: STREAM_DESCRIPTION,
          tags: ['Partyline extensions'],
          querystring: {
            type: 'object',
            properties: {
              phlo_id: { type: 'string', minLength: 1, description: 'Only the calls of this PHLO' },
              node_id: {
                type: 'string',
                minLength: 1,
                description: 'Only the calls of this node (with phlo_id)',
              },
            },
          },
          response: {
            200: {
              description: 'The stream',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...v1Errors(false),
          },
        },
      },
      async (request, reply) => {
        const authId = accountOf(request);
        const { phlo_id, node_id } = request.query;
        const filter: StreamFilter = { authId };
        if (node_id !== undefined && phlo_id === undefined)
          throw new HttpError(400, 'node_id needs phlo_id: a node is named within its PHLO');
        // An unknown (or another account's) PHLO or node is a 404 before anything streams.
        if (phlo_id !== undefined) {
          await service.getPhlo(authId, phlo_id);
          filter.phloId = phlo_id;
        }
        if (phlo_id !== undefined && node_id !== undefined) {
          await service.getNode(authId, phlo_id, node_id);
          filter.nodeId = node_id;
        }
        const lastEventId = request.headers['last-event-id'];
        reply.hijack();
        reply.raw.writeHead(200, {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache, no-transform',
          Connection: 'keep-alive',
          // Reverse proxies (nginx) would otherwise buffer the stream.
          'X-Accel-Buffering': 'no',
        });
        hub.open(reply.raw, filter, typeof lastEventId === 'string' ? lastEventId : undefined);
      },
    );
  };
}
