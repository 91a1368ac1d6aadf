import fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { ServeContext } from './context';
import { HttpError, errorBody, statusOf } from './errors';
import { registerOpsRoutes } from './routes/ops';
import { registerSynthesizeRoute } from './routes/synthesize';

/** Where the JSON logs go (pino destination): stderr by default, so stdout keeps the one 'listening' line. */
export interface AppLogOptions {
  level?: string;
  stream?: NodeJS.WritableStream;
}

/** A fastify error's status (413 body too large, 400 bad JSON …), when it carries one. */
function fastifyStatus(e: unknown): number | undefined {
  const s = (e as Partial<FastifyError>)?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : undefined;
}

/** The message of an error answer; fastify's own wording for a too-large body names our flag instead. */
function messageOf(e: unknown, status: number, ctx: ServeContext): string {
  if (status === 413 && !(e instanceof HttpError)) return `the request body is larger than this server's --body-limit of ${ctx.options.bodyLimit} bytes.`;
  if (status >= 500 && !(e instanceof HttpError)) return 'internal error (logged on the server).';
  return e instanceof Error ? e.message : String(e);
}

/**
 * The HTTP app: routes, one JSON error shape (`{"error": "…"}`), one log line per request
 * (method, url, status, ms) and the request metrics. Bodies of any content type arrive as bytes.
 */
export function buildApp(ctx: ServeContext, log: AppLogOptions = {}): FastifyInstance {
  const app = fastify({
    logger: { level: log.level ?? 'info', stream: log.stream ?? process.stderr },
    bodyLimit: ctx.options.bodyLimit,
    // Our onResponse hook writes the one line per request (fastify's own would add two).
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  // A label is bytes whatever the client calls it (image/png, application/octet-stream, none).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((e, req, reply) => {
    const status = e instanceof HttpError ? e.status : (fastifyStatus(e) ?? statusOf(e));
    if (status >= 500 && !(e instanceof HttpError)) req.log.error({ err: e }, 'request failed');
    if (e instanceof HttpError) reply.headers(e.headers);
    return reply.code(status).send(errorBody(messageOf(e, status, ctx)));
  });
  const routes = 'POST /v1/synthesize, GET /v1/models, /healthz, /readyz, /metrics';
  app.setNotFoundHandler((req, reply) => reply.code(404).send(errorBody(`no route ${req.method} ${req.url.split('?')[0]}; routes: ${routes}.`)));

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const seconds = reply.elapsedTime / 1000;
    ctx.metrics.requests.inc({ route, method: req.method, status: String(status) });
    ctx.metrics.latency.observe({ route }, seconds);
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    req.log.info({ method: req.method, url: req.url, status, ms, inFlight: ctx.admission.inFlight }, 'request');
  });

  registerOpsRoutes(app, ctx);
  registerSynthesizeRoute(app, ctx);
  return app;
}
