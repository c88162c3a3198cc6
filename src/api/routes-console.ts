/**
 * The web console's static files at /console (the page itself, its script
 * and stylesheet), from whatever provides them (src/console: built files,
 * or a bundle made from source). No auth: the page holds no data; it asks
 * for credentials and calls the API with them, like any client.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errorBody } from './errors.js';

export interface ConsoleAsset {
  body: string | Buffer;
  contentType: string;
}

export interface ConsoleAssets {
  /** A file of the console by name (`index.html`, `app.js`, …); null when it has none of that name. */
  get(name: string): Promise<ConsoleAsset | null>;
}

/**
 * Everything the page loads comes from this server (no CDN); its only
 * connections are to this API; a recording plays from a blob it fetched.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; media-src 'self' blob:; base-uri 'none'; form-action 'none'; " +
  "frame-ancestors 'none'";

export function consoleRoutes(assets: ConsoleAssets) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    const serve = async (reply: FastifyReply, name: string, apiId: string) => {
      const asset = await assets.get(name);
      if (!asset)
        return reply
          .code(404)
          .type('application/json; charset=utf-8')
          .send(errorBody(apiId, `the console has no file ${name}`));
      return reply
        .type(asset.contentType)
        .header('Cache-Control', 'no-cache')
        .header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
        .header('X-Content-Type-Options', 'nosniff')
        .send(asset.body);
    };
    app.get('/console', { schema: { hide: true } }, (request, reply) =>
      serve(reply, 'index.html', request.id),
    );
    app.get<{ Params: { file: string } }>(
      '/console/:file',
      { schema: { hide: true } },
      (request, reply) => serve(reply, request.params.file, request.id),
    );
  };
}
