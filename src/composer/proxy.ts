// fyr composer-proxy: osbuild-composer's unix socket made reachable over TCP for CI runners,
// behind bearer tokens and an allow-list of Weldr routes. Built separately from its listener
// so tests can use inject() as well as a real socket. The only importer of fastify and
// @fastify/http-proxy.
import { createHash, timingSafeEqual } from 'node:crypto';
import { escape } from 'node:querystring';
import httpProxy from '@fastify/http-proxy';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { FyrError } from '../errors.js';

export type TokenRole = 'read' | 'build';

export interface ProxyToken {
  name: string;
  role: TokenRole;
  token: string;
}

export interface ProxyOptions {
  socket: string;
  tokens: readonly ProxyToken[];
  tls?: { key: string; cert: string };
  // Largest request body accepted (a blueprint, a compose request).
  bodyLimit?: number;
  // One line per request: time, token name, method, path, status, bytes. Never the token.
  log?: (line: string) => void;
  // How long a client may take to send a whole request, body included (the response, an image
  // download, is not limited). Default one minute.
  requestTimeoutMs?: number;
}

// Whether an address is this machine's loopback, where plain HTTP stays on the machine.
export const isLoopback = (host: string): boolean =>
  /^127\./.test(host) || host === '::1' || host === 'localhost' || host === '::ffff:127.0.0.1';

// "name role token" per line; # starts a comment. Tokens are at least 32 characters.
export function parseTokens(text: string, file: string): ProxyToken[] {
  const tokens: ProxyToken[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const [name, role, token, ...rest] = line.split(/\s+/);
    if (!name || (role !== 'read' && role !== 'build') || !token || rest.length > 0)
      problems.push(`${file}:${i + 1}: expected "NAME read|build TOKEN"`);
    else if (token.length < 32) problems.push(`${file}:${i + 1}: the token of ${name} is shorter than 32 characters`);
    else tokens.push({ name, role, token });
  });
  if (problems.length > 0 || tokens.length === 0)
    throw new FyrError('USAGE', `${file}: ${problems.length > 0 ? 'bad token lines' : 'no tokens'}`, {
      details: problems.length > 0 ? problems : ['Add a line such as: ci build $(openssl rand -hex 32)'],
    });
  return tokens;
}

const V = '/api/v[01]';
// The Weldr routes that pass, and the role each needs. Nothing else passes.
const ROUTES: ReadonlyArray<[string, RegExp, TokenRole]> = [
  ['GET', /^\/api\/status$/, 'read'],
  ['GET', new RegExp(`^${V}/blueprints/(list|info/[^/]+|depsolve/[^/]+)$`), 'read'],
  [
    'GET',
    new RegExp(
      `^${V}/compose/(types|queue|finished|failed|status/[^/]+|info/[^/]+|log/[^/]+|logs/[^/]+|metadata/[^/]+)$`,
    ),
    'read',
  ],
  ['POST', new RegExp(`^${V}/blueprints/new$`), 'build'],
  ['POST', new RegExp(`^${V}/compose$`), 'build'],
  ['DELETE', new RegExp(`^${V}/compose/cancel/[^/]+$`), 'build'],
  ['GET', new RegExp(`^${V}/compose/image/[^/]+$`), 'build'],
];

export function routeRole(method: string, path: string): TokenRole | undefined {
  return ROUTES.find(([m, re]) => m === method && re.test(path))?.[2];
}

const digest = (s: string) => createHash('sha256').update(s).digest();

// Compares against every token, in constant time for each, without stopping at a match.
function findToken(tokens: readonly ProxyToken[], given: string): ProxyToken | undefined {
  const g = digest(given);
  let found: ProxyToken | undefined;
  for (const t of tokens) if (timingSafeEqual(g, digest(t.token)) && !found) found = t;
  return found;
}

const refuse = (reply: FastifyReply, status: number, id: string, msg: string) =>
  reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ status: false, errors: [{ id, msg }] });

// Every method's body is limited before it is read: GET and HEAD carry none (composer would
// wait for it), others give a Content-Length (composer rejects a body without one, and a
// chunked one could not be limited up front) of at most `limit` bytes; POST always gives one.
function bodyRefusal(req: FastifyRequest, reply: FastifyReply, limit: number) {
  const length = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (req.method === 'GET' || req.method === 'HEAD') {
    if (chunked || (length !== undefined && length !== '0'))
      return refuse(reply, 400, 'BodyNotAllowed', `a ${req.method} request carries no body`);
    return undefined;
  }
  if (chunked || (length === undefined && req.method === 'POST'))
    return refuse(reply, 411, 'LengthRequired', 'a Content-Length is required');
  if (length !== undefined && !(Number(length) <= limit))
    return refuse(reply, 413, 'PayloadTooLarge', `the request body is ${length} bytes, at most ${limit} pass`);
  return undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    fyrToken?: string;
  }
}

export async function buildProxy(o: ProxyOptions): Promise<FastifyInstance> {
  const requestTimeout = o.requestTimeoutMs ?? 60_000;
  const app = Fastify({
    logger: false,
    requestTimeout: 0,
    ...(o.tls ? { https: { key: o.tls.key, cert: o.tls.cert } } : {}),
  });
  const limit = o.bodyLimit ?? 1 << 20;
  const log = o.log ?? (() => {});
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0]!;
    const header = req.headers.authorization ?? '';
    const token = /^Bearer (\S+)$/.exec(header)?.[1];
    const who = token === undefined ? undefined : findToken(o.tokens, token);
    if (!who)
      return refuse(
        reply,
        401,
        'Unauthorized',
        token === undefined ? 'a bearer token is required' : 'the bearer token is not valid',
      );
    req.fyrToken = who.name;
    const role = routeRole(req.method, path);
    if (!role) return refuse(reply, 403, 'Forbidden', `${req.method} ${path} does not pass fyr composer-proxy`);
    if (role === 'build' && who.role !== 'build')
      return refuse(
        reply,
        403,
        'Forbidden',
        `token ${who.name} is read-only; ${req.method} ${path} needs a build token`,
      );
    const refused = bodyRefusal(req, reply, limit);
    if (refused) return refused;
    // A body still arriving after the deadline (a client holding a token and a connection, a
    // byte at a time) ends the connection; the body is streamed on, so Fastify cannot time it.
    if (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') {
      const timer = setTimeout(() => req.raw.destroy(), requestTimeout);
      req.raw.once('end', () => clearTimeout(timer));
      req.raw.once('close', () => clearTimeout(timer));
    }
    return undefined;
  });
  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const bytes = reply.getHeader('content-length') ?? '-';
    log(
      `${new Date().toISOString()} ${req.fyrToken ?? '-'} ${req.method} ${req.url.split('?')[0]} ${reply.statusCode} ${String(bytes)}`,
    );
  });
  // Bodies and image downloads stream through; nothing is buffered.
  // The token stops here: composer never sees it.
  await app.register(httpProxy, {
    upstream: `unix+http://${escape(o.socket)}`,
    prefix: '/',
    rewritePrefix: '',
    http: { requestOptions: { timeout: 0 } },
    replyOptions: {
      rewriteRequestHeaders: (_req, headers) => {
        const { authorization: _token, ...rest } = headers;
        return rest;
      },
    },
  });
  return app;
}
