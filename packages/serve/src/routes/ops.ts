import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context';

/** /healthz (the process answers), /readyz (models loaded, not draining), /metrics, GET /v1/models. */
export function registerOpsRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const workers = { ready: ctx.pool.readyWorkers, total: ctx.options.workers };
    if (ctx.draining) return reply.code(503).send({ status: 'draining', workers });
    if (!ctx.pool.isReady) return reply.code(503).send({ status: 'loading', workers });
    return { status: 'ready', workers, engine: ctx.pool.engine };
  });

  app.get('/metrics', async (_req, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  app.get('/v1/models', async () => ({ models: ctx.models }));
}
