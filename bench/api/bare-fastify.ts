/**
 * The baseline of the `call` action benchmark: Fastify with its defaults
 * (JSON body parser, no logger, no schema) and one route at the same path
 * as the action, answering 201 {api_id, error: ""} straight away — what
 * the framework costs per request on this machine, with nothing of ours in
 * it. A process of its own, as the server under test is one process of its
 * own; the same client drives both.
 *
 *   node --import tsx bench/api/bare-fastify.ts [--timings]   → prints "READY <port>"
 *
 * With --timings (the bench's --phases) it also notes when each numbered
 * request began and was answered (server-timings.ts) and hands the notes
 * over on GET TIMINGS_PATH; without it, nothing but the route.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { ServerTimings, TIMINGS_PATH } from './server-timings.js';

const app = Fastify({ logger: false });
if (process.argv.includes('--timings')) {
  const timings = new ServerTimings();
  app.get(TIMINGS_PATH, async () => timings.take());
}
app.post('/v1/phlo/:phlo_id/multi_party_call/:node_id', async (_request, reply) => {
  void reply.code(201);
  return { api_id: randomUUID(), error: '' };
});
const stop = (): void => {
  void app.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`READY ${typeof address === 'object' && address ? address.port : 0}\n`);
