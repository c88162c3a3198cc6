/**
 * Builds the HTTP API (DESIGN.md §1) as a Fastify instance, not listening:
 * the server wires the real service and calls `listen`.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { systemClock, type Clock } from '../clock/index.js';
import { authenticate } from './auth.js';
import { registerBodyParsers } from './body-parsers.js';
import { optionalBodies } from './documented.js';
import { errorBody, errorHandler, HttpError } from './errors.js';
import { EventHub, type EventStreamOptions } from './event-stream.js';
import { MethodTable } from './method-table.js';
import { instrument } from './metrics.js';
import { KeyedRateLimiter, type RateLimitOptions } from './rate-limit.js';
import { AuthThrottle, DEFAULT_AUTH_THROTTLE, type AuthThrottleOptions } from './auth-throttle.js';
import { callRoutes } from './routes-calls.js';
import { consoleRoutes, type ConsoleAssets } from './routes-console.js';
import { eventRoutes } from './routes-events.js';
import { mpcRoutes } from './routes-mpc.js';
import { opsRoutes } from './routes-ops.js';
import { phloRoutes } from './routes-phlo.js';
import { recordingRoutes } from './routes-recording.js';
import { runRoutes } from './routes-run.js';
import type { ApiService } from './service.js';
import { schemaErrorFormatter } from './validation-messages.js';

export interface BuildApiOptions {
  service: ApiService;
  logger: Logger;
  /** Served at /metrics; the API's request histogram is registered on it. Default: a fresh one. */
  metrics?: Registry;
  /** Per-account token bucket over every /v1 request; none when absent. */
  rateLimit?: RateLimitOptions;
  /**
   * What clients may make the server verify with scrypt (auth-throttle.ts);
   * default DEFAULT_AUTH_THROTTLE, null: unlimited.
   */
  authThrottle?: AuthThrottleOptions | null;
  /** Largest accepted request body; default 64 KiB. Larger → 413. */
  bodyLimitBytes?: number;
  /** Time for the rate limiter and the live stream's heartbeat (tests pass a manual clock). Default: the system clock. */
  clock?: Clock;
  /** The live stream's heartbeat, replay and per-client buffer (event-stream.ts). */
  eventStream?: Omit<EventStreamOptions, 'clock'>;
  /** The web console's files, served at /console; none when absent. */
  console?: ConsoleAssets;
}

export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;
/** Longest path parameter routed; longer ones cannot name anything, so they answer 404. */
const MAX_PARAM_LENGTH = 512;

/** Malformed HTTP never reaches a route: answer it in the same JSON shape, then close. */
function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  this.log.debug({ err }, 'malformed HTTP from a client');
  const status =
    err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message =
    status === 431
      ? 'request headers too large'
      : status === 408
        ? 'request timed out'
        : 'malformed HTTP request';
  const body = JSON.stringify(errorBody(randomUUID(), message));
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void reply
    .code(tooLong ? 404 : 400)
    .type('application/json; charset=utf-8')
    .send(
      errorBody(
        request.id,
        tooLong
          ? `not found: a path segment is longer than ${MAX_PARAM_LENGTH} characters`
          : 'malformed URL: a percent-encoded sequence does not decode',
      ),
    );
}

const V1_DESCRIPTION = `Plivo PHLO Multi-Party Call API, wire-compatible with Plivo's SDKs (base URL
changed), plus Partyline's own extensions. Every /v1 route takes HTTP Basic AUTH_ID:AUTH_TOKEN.
Paths work with and without a trailing slash. Errors are always {api_id, error}.`;

export async function buildApi(options: BuildApiOptions): Promise<FastifyInstance> {
  const { service } = options;
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const registry = options.metrics ?? new Registry();
  const clock = options.clock ?? systemClock;
  const limiter = options.rateLimit ? new KeyedRateLimiter(options.rateLimit, clock) : undefined;
  const throttleOptions =
    options.authThrottle === undefined ? DEFAULT_AUTH_THROTTLE : options.authThrottle;
  const throttle = throttleOptions ? new AuthThrottle(throttleOptions, clock) : undefined;

  const app = Fastify({
    loggerInstance: options.logger,
    // api_id = the request id: fresh per request, never taken from a header, on every log line.
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'api_id' }),
    bodyLimit,
    routerOptions: {
      // Both forms are routed and none redirects (PLIVO-SDK-WIRE.md §3.1).
      ignoreTrailingSlash: true,
      maxParamLength: MAX_PARAM_LENGTH,
    },
    // coerceTypes true (not 'array'): payload numbers/booleans become strings, arrays stay refused.
    ajv: { customOptions: { coerceTypes: true, verbose: true } },
    schemaErrorFormatter,
    frameworkErrors,
    clientErrorHandler,
    // While closing, requests still get our JSON answers (service.ready() → 503), not Fastify's own.
    return503OnClosing: false,
  }) as unknown as FastifyInstance;

  const hub = new EventHub(service, options.logger, {
    ...options.eventStream,
    clock,
  });
  // Live streams never end by themselves: they are ended before the server waits for its requests.
  app.addHook('preClose', async () => hub.close());

  const methods = new MethodTable();
  app.addHook('onRoute', (route) => methods.add(route.url, route.method));
  const noRoute = (request: FastifyRequest, reply: FastifyReply): void => {
    const path = (request.raw.url ?? '/').split('?')[0];
    const allowed = methods.allowed(path);
    if (allowed !== undefined && !allowed.includes(request.method)) {
      void reply
        .code(405)
        .header('Allow', allowed.join(', '))
        .type('application/json; charset=utf-8')
        .send(
          errorBody(
            request.id,
            `method ${request.method} is not allowed on ${path}: use ${allowed.join(', ')}`,
          ),
        );
      return;
    }
    void reply
      .code(404)
      .type('application/json; charset=utf-8')
      .send(errorBody(request.id, `no route for ${request.method} ${path}`));
  };
  const handleError = errorHandler(bodyLimit);
  app.setErrorHandler((err, request, reply) => {
    // Fastify parses the body of a request no route takes before the not-found handler runs (and
    // refuses a QUERY without Content-Type): no route means 404/405 (RFC 9110 §15.5.6), whatever
    // the body was.
    if (request.is404) noRoute(request, reply);
    else handleError(err, request, reply);
  });
  app.setNotFoundHandler(noRoute);
  instrument(app, registry);

  await app.register(formbody, { bodyLimit });
  registerBodyParsers(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Partyline API', version: '1.0.0', description: V1_DESCRIPTION },
      components: { securitySchemes: { basicAuth: { type: 'http', scheme: 'basic' } } },
      security: [{ basicAuth: [] }],
      tags: [
        { name: 'PHLO', description: 'Plivo-compatible' },
        { name: 'Multi-Party Call', description: 'Plivo-compatible' },
        { name: 'Partyline extensions', description: 'Same auth and conventions' },
        { name: 'Operations', description: 'No auth' },
      ],
    },
    transformObject: (doc) =>
      optionalBodies('openapiObject' in doc ? doc.openapiObject : doc.swaggerObject),
  });

  await app.register(async function v1(scope) {
    scope.addHook('onRequest', async (request) => {
      // Not ready: refuse before anything else (auth itself may need the store).
      if (!service.ready()) {
        throw new HttpError(503, 'Partyline is starting or stopping: retry shortly', {
          'Retry-After': '1',
        });
      }
      const authId = await authenticate(service, request, throttle);
      if (limiter) {
        const taken = limiter.take(authId);
        if (!taken.ok) {
          throw new HttpError(
            429,
            `too many requests for this account: retry in ${taken.retryAfterSeconds} s`,
            { 'Retry-After': String(taken.retryAfterSeconds) },
          );
        }
      }
    });
    await scope.register(phloRoutes(service));
    await scope.register(runRoutes(service));
    await scope.register(mpcRoutes(service));
    await scope.register(callRoutes(service));
    await scope.register(recordingRoutes(service));
    await scope.register(eventRoutes(service, hub));
  });
  if (options.console) await app.register(consoleRoutes(options.console));

  await app.register(opsRoutes(service, registry));
  app.get('/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(swaggerUi, { routePrefix: '/docs' });

  return app;
}
