/** Unauthenticated operations routes: health, Prometheus metrics, API docs. */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { healthResponses, metricsResponses } from './schemas.js';
import type { ApiService } from './service.js';

export function opsRoutes(service: ApiService, registry: Registry) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.get(
      '/healthz',
      {
        schema: {
          operationId: 'health',
          summary: 'Readiness (no auth)',
          tags: ['Operations'],
          security: [],
          response: healthResponses,
        },
      },
      async (_request, reply) => {
        if (service.ready()) return { status: 'ok' };
        void reply.code(503).header('Retry-After', '1');
        return { status: 'unavailable', error: 'Partyline is starting or stopping' };
      },
    );

    app.get(
      '/metrics',
      {
        schema: {
          operationId: 'metrics',
          summary: 'Prometheus metrics (no auth)',
          tags: ['Operations'],
          security: [],
          response: metricsResponses,
        },
      },
      async (_request, reply) => {
        const text = await registry.metrics();
        void reply.type(registry.contentType);
        return text;
      },
    );
  };
}
