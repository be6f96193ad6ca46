/**
 * Child process of the serve benchmark: the floor for `automl serve`, a bare fastify server with
 * one POST /model/score route that lets fastify's default JSON parser parse the body and answers
 * a constant JSON of the score response's shape. Prints `bare fastify: listening on URL` once
 * listening; SIGTERM stops it.
 */
import Fastify from 'fastify';

const ANSWER = {
  id: '00000000-0000-0000-0000-000000000000',
  fields: ['cool_cond_y.3', 'cool_cond_y.20', 'cool_cond_y.100'],
  score: [['0.01', '0.02', '0.97']],
};

const app = Fastify({ logger: false });
app.post('/model/score', async (request) => {
  const body = request.body as { rows?: unknown[] } | null;
  if (!body || !Array.isArray(body.rows)) throw Object.assign(new Error('no rows'), { statusCode: 400 });
  return ANSWER;
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`bare fastify: listening on ${url}\n`);
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
