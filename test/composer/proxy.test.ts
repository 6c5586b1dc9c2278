// fyr composer-proxy in front of the Weldr emulator (a test double): a full compose through it
// over TCP and over TLS, with the image streamed; no token, a wrong token, a read-only token
// starting a compose, a route outside the allow-list, an oversized body; the access log names
// the token, never shows it; the real process stops cleanly on SIGTERM.
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:http';
import { buildProxy, isLoopback, parseTokens, routeRole, type ProxyToken } from '../../src/composer/proxy.js';
import { parseListen } from '../../src/cli/commands/composer-proxy.js';
import { runCli } from '../helpers/cli.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { startEmulator, type Emulator } from '../helpers/weldr-emulator.js';

const SITE = 'examples/edge/site.yaml';
const BUILD = 'b'.repeat(24) + '0123456789abcdef';
const READ = 'r'.repeat(24) + '0123456789abcdef';
const TOKENS: ProxyToken[] = [
  { name: 'ci-build', role: 'build', token: BUILD },
  { name: 'dashboard', role: 'read', token: READ },
];

async function withProxy(
  fn: (ctx: { dir: string; emu: Emulator; url: string; log: string[]; env: Record<string, string> }) => Promise<void>,
  tls?: { key: string; cert: string },
  requestTimeoutMs?: number,
): Promise<void> {
  const dir = await makeTmpdir();
  const emu = await startEmulator(join(dir, 'api.socket'), { image: Buffer.alloc(6 << 20, 3) });
  const log: string[] = [];
  const app = await buildProxy({
    socket: emu.socket,
    tokens: TOKENS,
    bodyLimit: 64 * 1024,
    log: (l) => log.push(l),
    ...(tls ? { tls } : {}),
    ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  try {
    await fn({ dir, emu, url, log, env: { XDG_CACHE_HOME: join(dir, 'cache'), FYR_COMPOSE_POLL_MS: '10' } });
  } finally {
    await app.close();
    await emu.close();
    await removeTmpdir(dir);
  }
}

test('proxy :: route allow-list and token file parsing', () => {
  assert.is(routeRole('GET', '/api/status'), 'read');
  assert.is(routeRole('GET', '/api/v1/compose/status/*'), 'read');
  assert.is(routeRole('GET', '/api/v0/blueprints/list'), 'read');
  assert.is(routeRole('POST', '/api/v1/blueprints/new'), 'build');
  assert.is(routeRole('POST', '/api/v1/compose'), 'build');
  assert.is(routeRole('GET', '/api/v1/compose/image/abc'), 'build');
  assert.is(routeRole('DELETE', '/api/v1/compose/cancel/abc'), 'build');
  for (const [m, p] of [
    ['DELETE', '/api/v1/blueprints/delete/x'],
    ['POST', '/api/v1/projects/source/new'],
    ['DELETE', '/api/v1/compose/delete/abc'],
    ['GET', '/api/v2/compose/types'],
    ['GET', '/api/v1/compose/image/a/../../x'],
  ]) {
    assert.is(routeRole(m!, p!), undefined, `${m} ${p}`);
  }
  assert.equal(
    parseTokens(`# CI\nci-build build ${BUILD}\n\ndashboard read ${READ} # for the wall screen\n`, 'tokens'),
    TOKENS,
  );
  assert.throws(() => parseTokens('ci build short\n', 'tokens'), /bad token lines/);
  assert.throws(() => parseTokens('# nothing\n', 'tokens'), /no tokens/);
  assert.equal(parseListen('0.0.0.0:8700'), { host: '0.0.0.0', port: 8700 });
  assert.equal(parseListen('[::1]:8700'), { host: '::1', port: 8700 });
  assert.throws(() => parseListen('8700'), /expected HOST:PORT/);
});

test('proxy :: a full compose through the proxy, image streamed; the token never reaches composer or the log', () =>
  withProxy(async ({ dir, emu, url, log, env }) => {
    const out = join(dir, 'base.iso');
    const r = await runCli(['compose', SITE, '-o', out, '--composer', url, '--json'], {
      ...env,
      FYR_COMPOSER_TOKEN: BUILD,
    });
    assert.is(r.code, 0, r.stderr);
    assert.ok(readFileSync(out).equals(Buffer.alloc(6 << 20, 3)));
    assert.is(emu.requests.find((q) => q.path === '/api/v1/blueprints/new')?.contentType, 'text/x-toml');
    assert.ok(
      log.some((l) => / ci-build GET \/api\/v1\/compose\/image\/[0-9a-f-]{36} 200 6291456$/.test(l)),
      log.join('\n'),
    );
    assert.not.ok(log.join('\n').includes(BUILD));
  }));

test('proxy :: no token and a wrong token are 401; a read-only token cannot start a compose (403)', () =>
  withProxy(async ({ dir, url, log, env }) => {
    const none = await runCli(['compose', SITE, '-o', join(dir, 'x.iso'), '--composer', url], env);
    assert.is(none.code, 1);
    assert.match(
      none.stderr,
      /status: the composer proxy at http:\/\/127\.0\.0\.1:\d+ refused \(HTTP 401\): Unauthorized: a bearer token is required \[COMPOSER_AUTH\]/,
    );
    const wrong = await runCli(['compose', SITE, '-o', join(dir, 'x.iso'), '--composer', url], {
      ...env,
      FYR_COMPOSER_TOKEN: 'w'.repeat(40),
    });
    assert.match(wrong.stderr, /the bearer token is not valid/);
    const tokenFile = join(dir, 'read.token');
    writeFileSync(tokenFile, `${READ}\n`, { mode: 0o600 });
    const read = await runCli(
      ['compose', SITE, '-o', join(dir, 'x.iso'), '--composer', url, '--token-file', tokenFile],
      env,
    );
    assert.is(read.code, 1);
    assert.match(
      read.stderr,
      /pushing the blueprint: the composer proxy .* refused \(HTTP 403\): Forbidden: token dashboard is read-only; POST \/api\/v1\/blueprints\/new needs a build token/,
    );
    assert.ok(log.some((l) => / - GET \/api\/status 401 /.test(l)));
    assert.not.ok(log.join('\n').includes('w'.repeat(40)));
  }));

test('proxy :: routes outside the allow-list and oversized or unsized bodies are refused before composer sees them', () =>
  withProxy(async ({ emu, url }) => {
    const auth = { authorization: `Bearer ${BUILD}` };
    const del = await fetch(`${url}/api/v1/blueprints/delete/fyr`, { method: 'DELETE', headers: auth });
    assert.is(del.status, 403);
    const big = await fetch(`${url}/api/v1/blueprints/new`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/x-toml' },
      body: 'x'.repeat(65 * 1024),
    });
    assert.is(big.status, 413);
    assert.match(await big.text(), /at most 65536 pass/);
    const readOnly = await fetch(`${url}/api/v1/compose`, {
      method: 'POST',
      headers: { authorization: `Bearer ${READ}`, 'content-type': 'application/json' },
      body: '{"blueprint_name":"x","compose_type":"image-installer"}',
    });
    assert.is(readOnly.status, 403);
    assert.not.ok(
      emu.requests.some(
        (q) => q.path.includes('delete') || q.path.endsWith('/blueprints/new') || q.path === '/api/v1/compose',
      ),
    );
  }));

// A raw HTTP/1.1 request (fetch refuses a GET with a body), its status or how it ended.
function rawRequest(url: string, method: string, headers: Record<string, string>, body?: string, slow?: boolean) {
  return new Promise<number | string>((resolve) => {
    const req = request(url, { method, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    // slow: a tenth of the body, then nothing, as a client holding a connection open would.
    if (body !== undefined) req.write(slow ? body.slice(0, body.length / 10) : body);
    if (!slow) req.end();
  });
}

test("proxy :: every method's body is limited, GET carries none, a slow body times out", () =>
  withProxy(
    async ({ emu, url }) => {
      const auth = { authorization: `Bearer ${BUILD}` };
      const big = 'x'.repeat(65 * 1024);
      const del = await rawRequest(
        `${url}/api/v1/compose/cancel/abc`,
        'DELETE',
        {
          ...auth,
          'content-length': String(big.length),
        },
        big,
      );
      assert.is(del, 413);
      const get = await rawRequest(`${url}/api/status`, 'GET', { ...auth, 'content-length': '5' }, 'hello');
      assert.is(get, 400);
      const chunked = await rawRequest(
        `${url}/api/v1/compose/cancel/abc`,
        'DELETE',
        {
          ...auth,
          'transfer-encoding': 'chunked',
        },
        'abc',
      );
      assert.is(chunked, 411);
      const started = Date.now();
      const slow = await rawRequest(
        `${url}/api/v1/blueprints/new`,
        'POST',
        {
          ...auth,
          'content-type': 'text/x-toml',
          'content-length': '1000',
        },
        'y'.repeat(1000),
        true,
      );
      assert.ok(slow === 408 || slow === 504 || slow === 'ECONNRESET', String(slow));
      assert.ok(Date.now() - started < 5000, `the slow body held the connection ${Date.now() - started} ms`);
      assert.not.ok(emu.requests.some((q) => q.path.includes('cancel') || q.path === '/api/status'));
    },
    undefined,
    800,
  ));

test('proxy :: plain HTTP on a non-loopback address is warned about; loopback and TLS are not', () => {
  assert.ok(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost'));
  assert.not.ok(isLoopback('0.0.0.0') || isLoopback('::') || isLoopback('192.168.8.1'));
});

test('proxy :: TLS with a private CA, and the real process stops on SIGTERM', async () => {
  const dir = await makeTmpdir();
  try {
    await execa('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    const tls = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    await withProxy(async ({ dir: d, url, env }) => {
      assert.match(url, /^https:/);
      const r = await runCli(
        ['compose', SITE, '-o', join(d, 'base.iso'), '--composer', url, '--ca', join(dir, 'cert.pem'), '-q'],
        { ...env, FYR_COMPOSER_TOKEN: BUILD },
      );
      assert.is(r.code, 0, r.stderr);
      const untrusted = await runCli(['compose', SITE, '-o', join(d, 'other.iso'), '--composer', url], {
        ...env,
        FYR_COMPOSER_TOKEN: BUILD,
      });
      assert.match(
        untrusted.stderr,
        /cannot reach osbuild-composer at https:\/\/127\.0\.0\.1:\d+: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/,
      );
    }, tls);
    // The built executable, as systemd runs it.
    writeFileSync(join(dir, 'tokens'), `ci build ${BUILD}\n`, { mode: 0o600 });
    const emu = await startEmulator(join(dir, 'api.socket'));
    try {
      const proc = execa(
        'node',
        [
          'dist/cli/main.js',
          'composer-proxy',
          '--socket',
          emu.socket,
          '--tokens',
          join(dir, 'tokens'),
          '--listen',
          '127.0.0.1:0',
        ],
        { reject: false, all: true },
      );
      let out = '';
      await new Promise<void>((resolve) =>
        proc.all!.on('data', (c: Buffer) => ((out += c.toString()), /-> unix:/.test(out) && resolve())),
      );
      const port = /127\.0\.0\.1:(\d+) -> unix:/.exec(out)![1];
      const status = await fetch(`http://127.0.0.1:${port}/api/status`, {
        headers: { authorization: `Bearer ${BUILD}` },
      });
      assert.is(status.status, 200);
      proc.kill('SIGTERM');
      const done = await proc;
      assert.is(done.exitCode, 0, done.all);
      assert.match(done.all ?? '', /ci GET \/api\/status 200 \d+\nfyr composer-proxy: stopped/);
    } finally {
      await emu.close();
    }
  } finally {
    await removeTmpdir(dir);
  }
});

test('proxy :: an address already in use is LISTEN_FAILED, not a write error', () =>
  withProxy(async ({ dir, emu, url }) => {
    writeFileSync(join(dir, 'tokens'), `ci build ${BUILD}\n`, { mode: 0o600 });
    const taken = new URL(url).port;
    const r = await runCli([
      'composer-proxy',
      '--socket',
      emu.socket,
      '--tokens',
      join(dir, 'tokens'),
      '--listen',
      `127.0.0.1:${taken}`,
    ]);
    assert.is(r.code, 1);
    assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${taken}: EADDRINUSE \\[LISTEN_FAILED\\]`));
  }));

test.run();
