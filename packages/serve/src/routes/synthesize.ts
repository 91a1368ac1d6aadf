import type { FastifyInstance } from 'fastify';
import { retryAfterSeconds } from '../admission';
import type { ServeContext } from '../context';
import { HttpError } from '../errors';
import { checkLabelHeader } from '../labels';
import { parseSynthesizeQuery } from '../query';

/**
 * POST /v1/synthesize?model=<name>&seed=<n>[&labels=colors]: label PNG in, image/png out. Checks
 * run in this order, cheapest first: query, body header (format, pixel limit), admission (429 when
 * full), then the worker (decode, label ids, synthesis).
 */
export function registerSynthesizeRoute(app: FastifyInstance, ctx: ServeContext): void {
  const { options, admission, pool } = ctx;
  const retryAfter = () => retryAfterSeconds(pool.queueSize, options.workers, ctx.taskMs.value);

  app.post('/v1/synthesize', async (req, reply) => {
    const q = parseSynthesizeQuery(req.query as Record<string, unknown>, ctx.models);
    const body = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0)
      throw new HttpError(400, 'the request body is empty; send a label PNG (class ids, or colours with labels=colors).');
    checkLabelHeader(body, q.labels, options.maxPixels);
    if (!admission.tryAcquire())
      throw new HttpError(
        429,
        `the server is at capacity (${admission.capacity} requests: ${options.workers} running + --max-queue ${options.maxQueue} waiting); retry later.`,
        { 'Retry-After': String(retryAfter()) },
      );
    const bytes = new Uint8Array(body.buffer, body.byteOffset, body.length);
    const task = { model: q.model.name, body: bytes, labels: q.labels, seed: q.seed, maxPixels: options.maxPixels };
    // The slot is freed when the worker is done, not when a timeout answers: capacity counts real work.
    const result = await pool.run(task, options.timeoutMs, retryAfter, () => admission.release());
    if (!result.ok) throw new HttpError(result.status, result.error);
    ctx.taskMs.add(result.ms);
    ctx.metrics.synthesis.observe({ model: q.model.name }, result.ms / 1000);
    reply.type('image/png').header('x-synthesis-ms', Math.round(result.ms));
    return Buffer.from(result.png.buffer, result.png.byteOffset, result.png.byteLength);
  });
}
