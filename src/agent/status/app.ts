// The status page and JSON API on the LAN: read-only, built apart from its listener so tests
// drive it with inject(). It reads the state file on each request, so it shows the truth even
// while the agent is between phases or stopped after a failure.
import Fastify, { type FastifyInstance } from 'fastify';
import { loadState } from '../state.js';
import { statusHtml } from './html.js';
import { statusView } from './view.js';

export function buildStatusApp(stateFile: string, now: () => Date = () => new Date()): FastifyInstance {
  const app = Fastify({ logger: false });
  const view = async () => {
    const state = await loadState(stateFile);
    return state ? statusView(state, now()) : undefined;
  };
  app.get('/api/status', async (_req, reply) => {
    const v = await view();
    if (!v) return reply.code(503).send({ error: 'the agent has not started yet' });
    return v;
  });
  app.get('/', async (_req, reply) => {
    const v = await view();
    reply.type('text/html; charset=utf-8');
    if (!v) return reply.code(503).send('<!doctype html><title>fyr</title><p>The agent has not started yet.</p>\n');
    return statusHtml(v);
  });
  // Read-only: anything but GET/HEAD is refused the same way.
  app.setNotFoundHandler((req, reply) =>
    reply.code(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405).send({ error: 'not found' }),
  );
  return app;
}
