/**
 * Request timing for Prometheus: `partyline_api_request_duration_seconds`
 * {method, route, status}. `route` is the route pattern (bounded
 * cardinality), `unmatched` for requests no route took.
 */
import type { FastifyInstance } from 'fastify';
import { Histogram, type Registry } from 'prom-client';

export const REQUEST_DURATION = 'partyline_api_request_duration_seconds';

function requestHistogram(registry: Registry): Histogram<'method' | 'route' | 'status'> {
  // A second API built over the same registry (tests, restarts) shares the metric.
  const existing = registry.getSingleMetric(REQUEST_DURATION);
  if (existing instanceof Histogram) return existing as Histogram<'method' | 'route' | 'status'>;
  return new Histogram({
    name: REQUEST_DURATION,
    help: 'Time to answer an HTTP API request, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
}

export function instrument(app: FastifyInstance, registry: Registry): void {
  const histogram = requestHistogram(registry);
  app.addHook('onResponse', async (request, reply) => {
    const url = request.routeOptions.url;
    histogram.observe(
      {
        method: request.method,
        route: url === undefined ? 'unmatched' : url.replace(/(.)\/+$/, '$1'),
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
}
