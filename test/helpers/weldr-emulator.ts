// TEST DOUBLE: an emulator of osbuild-composer's Weldr API (v1), for the routes fyr uses, on a
// real unix socket. osbuild-composer cannot run here (it needs RHEL repositories and osbuild
// workers). Faithful to osbuild-composer's internal/weldr/api.go (docs/development.md): exact content-type
// string compares, a non-zero Content-Length for blueprints, {"status": false, "errors": [...]}
// shapes and their HTTP codes, WAITING/RUNNING/FINISHED/FAILED, the image's download headers,
// logs as a tar. It can be told to fail a compose, hang, drop a download halfway, and to reject
// unsupported customizations (older composer) or return them as warnings (newer).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { packTar } from '../../src/util/tar.js';

export interface EmulatorOptions {
  types?: string[];
  // How composes end: after `pollsToFinish` status polls, FINISHED; or FAILED; or never.
  outcome?: 'finish' | 'fail' | 'hang';
  pollsToFinish?: number;
  // Customization sections this composer does not support for the image type, e.g. "files".
  unsupported?: string[];
  unsupportedBehaviour?: 'reject' | 'warn';
  image?: Buffer;
  // Destroy the connection after this many bytes of an image download.
  dropDownloadAt?: number;
}

interface Compose {
  id: string;
  blueprint: string;
  type: string;
  state: 'WAITING' | 'RUNNING' | 'FINISHED' | 'FAILED';
  polls: number;
  cancelled: boolean;
}

export interface Emulator {
  socket: string;
  requests: Array<{ method: string; path: string; contentType: string | undefined }>;
  blueprints: Map<string, string>;
  composes: Map<string, Compose>;
  options: EmulatorOptions;
  close(): Promise<void>;
}

const LOG = [
  'osbuild: stage org.osbuild.rpm',
  'Installing 412 packages',
  'org.osbuild.rpm: error: package bind-32:9.16.23-18.el9.x86_64 does not verify: Payload SHA256 digest: BAD',
  'Traceback (most recent call last):',
  '  File "/usr/lib/osbuild/stages/org.osbuild.rpm", line 412, in main',
  'RuntimeError: rpm failed',
  'osbuild: stage failed',
].join('\n');

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const error = (res: ServerResponse, status: number, id: string, msg: string, code?: number) =>
  send(res, status, { status: false, errors: [{ ...(code ? { code } : {}), id, msg }] });

async function body(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

export async function startEmulator(socket: string, options: EmulatorOptions = {}): Promise<Emulator> {
  const blueprints = new Map<string, string>();
  const composes = new Map<string, Compose>();
  const requests: Emulator['requests'] = [];
  const opts = options;
  const image = () => opts.image ?? Buffer.alloc(3 << 20, 0x5a);
  const entry = (c: Compose) => ({
    id: c.id,
    blueprint: c.blueprint,
    version: '0.1.0',
    compose_type: c.type,
    queue_status: c.state,
    job_created: 1700000000,
    ...(c.state === 'FINISHED' ? { image_size: image().length } : {}),
  });

  const routes: Array<
    [string, RegExp, (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray) => Promise<void> | void]
  > = [
    [
      'GET',
      /^\/api\/status$/,
      (_q, res) =>
        send(res, 200, {
          api: '1',
          db_supported: true,
          db_version: '0',
          schema_version: '0',
          backend: 'osbuild-composer',
          build: 'devel (fyr emulator)',
          msgs: [],
        }),
    ],
    [
      'GET',
      /^\/api\/v1\/blueprints\/list$/,
      (_q, res) => send(res, 200, { total: blueprints.size, offset: 0, limit: 20, blueprints: [...blueprints.keys()] }),
    ],
    [
      'POST',
      /^\/api\/v1\/blueprints\/new$/,
      async (req, res) => {
        const type = req.headers['content-type'];
        const data = await body(req);
        if (type === undefined) return error(res, 400, 'BlueprintsError', 'missing Content-Type header');
        if (Number(req.headers['content-length'] ?? 0) === 0)
          return error(res, 400, 'BlueprintsError', 'Missing blueprint');
        if (type !== 'text/x-toml' && type !== 'application/json')
          return error(res, 400, 'BlueprintsError', 'blueprint must be in json or toml format');
        const text = data.toString('utf8');
        const name =
          type === 'text/x-toml' ? /^name = "([^"]*)"$/m.exec(text)?.[1] : (JSON.parse(text) as { name?: string }).name;
        if (name === undefined)
          return error(
            res,
            400,
            'BlueprintsError',
            '400 Bad Request: The browser (or proxy) sent a request that this server could not understand: missing name',
          );
        if (!/^[a-zA-Z0-9._-]+$/.test(name)) return error(res, 400, 'InvalidChars', 'Invalid characters in API path');
        if (opts.unsupportedBehaviour !== 'warn') {
          for (const section of opts.unsupported ?? []) {
            if (text.includes(`customizations.${section}]`))
              return error(
                res,
                400,
                'BlueprintsError',
                `customizations.${section} is not supported by this version of osbuild-composer`,
              );
          }
        }
        blueprints.set(name, text);
        send(res, 200, { status: true });
      },
    ],
    [
      'GET',
      /^\/api\/v1\/blueprints\/depsolve\/([^/]+)$/,
      (_q, res, m) => {
        const names = decodeURIComponent(m[1]!).split(',');
        const known = names.filter((n) => blueprints.has(n));
        send(res, 200, {
          blueprints: known.map((n) => ({
            blueprint: { name: n },
            dependencies: Array.from({ length: 412 }, (_, i) => ({ name: `pkg-${i}` })),
          })),
          errors: names
            .filter((n) => !blueprints.has(n))
            .map((n) => ({ id: 'UnknownBlueprint', msg: `${n}: blueprint not found` })),
        });
      },
    ],
    [
      'GET',
      /^\/api\/v1\/compose\/types$/,
      (_q, res) =>
        send(res, 200, {
          types: (opts.types ?? ['image-installer', 'qcow2', 'edge-installer']).map((name) => ({
            name,
            enabled: true,
          })),
        }),
    ],
    [
      'POST',
      /^\/api\/v1\/compose$/,
      async (req, res) => {
        const data = await body(req);
        if (req.headers['content-type'] !== 'application/json')
          return error(res, 400, 'MissingPost', 'blueprint must be json');
        let request: { blueprint_name?: string; compose_type?: string };
        try {
          request = JSON.parse(data.toString('utf8'));
        } catch {
          return error(res, 404, 'HTTPError', 'Not Found', 404);
        }
        const bp = blueprints.get(request.blueprint_name ?? '');
        if (bp === undefined)
          return error(res, 400, 'UnknownBlueprint', `Unknown blueprint name: ${request.blueprint_name}`);
        if (!(opts.types ?? ['image-installer', 'qcow2', 'edge-installer']).includes(request.compose_type ?? ''))
          return error(
            res,
            400,
            'ComposeError',
            `Failed to get compose type "${request.compose_type}": invalid image type`,
          );
        const warnings =
          opts.unsupportedBehaviour === 'warn'
            ? (opts.unsupported ?? [])
                .filter((s) => bp.includes(`customizations.${s}]`))
                .map(
                  (s) =>
                    `blueprint customization ${s} is not supported for image type ${request.compose_type} and is ignored`,
                )
            : [];
        const id = randomUUID();
        composes.set(id, {
          id,
          blueprint: request.blueprint_name!,
          type: request.compose_type!,
          state: 'WAITING',
          polls: 0,
          cancelled: false,
        });
        send(res, 200, { build_id: id, status: true, warnings: warnings.length ? warnings : null });
      },
    ],
    [
      'GET',
      /^\/api\/v1\/compose\/status\/([^/]+)$/,
      (_q, res, m) => {
        const ids = m[1] === '*' ? [...composes.keys()] : m[1]!.split(',');
        const found = ids.map((id) => composes.get(id)).filter((c): c is Compose => c !== undefined);
        for (const c of found) {
          if (c.state === 'FINISHED' || c.state === 'FAILED') continue;
          c.polls += 1;
          const outcome = opts.outcome ?? 'finish';
          if (c.polls >= 1 && c.state === 'WAITING') c.state = 'RUNNING';
          if (c.polls >= (opts.pollsToFinish ?? 3) && outcome !== 'hang')
            c.state = outcome === 'fail' ? 'FAILED' : 'FINISHED';
        }
        send(res, 200, { uuids: found.map(entry) });
      },
    ],
    [
      'GET',
      /^\/api\/v1\/compose\/image\/([^/]+)$/,
      (_q, res, m) => {
        const c = composes.get(m[1]!);
        if (!c) return error(res, 400, 'UnknownUUID', `Compose ${m[1]} doesn't exist`);
        if (c.state !== 'FINISHED')
          return error(res, 400, 'BuildInWrongState', `Build ${c.id} is in wrong state: ${c.state}`);
        const data = image();
        res.writeHead(200, {
          'content-disposition': `attachment; filename=${c.id}-installer.iso`,
          'content-type': 'application/x-iso9660-image',
          'content-length': data.length,
        });
        if (opts.dropDownloadAt === undefined) return void res.end(data);
        res.write(data.subarray(0, opts.dropDownloadAt), () => res.socket?.destroy());
      },
    ],
    [
      'GET',
      /^\/api\/v1\/compose\/(logs|metadata)\/([^/]+)$/,
      async (_q, res, m) => {
        const c = composes.get(m[2]!);
        if (!c) return error(res, 400, 'UnknownUUID', `Compose ${m[2]} doesn't exist`);
        if (c.state !== 'FINISHED' && c.state !== 'FAILED')
          return error(res, 400, 'BuildInWrongState', `Build ${c.id} not in FINISHED or FAILED state.`);
        const tar =
          m[1] === 'logs'
            ? await packTar([{ path: 'logs/osbuild.log', mode: 0o644, content: Buffer.from(`${LOG}\n`) }], 1700000000)
            : await packTar(
                [{ path: `${c.id}.json`, mode: 0o644, content: Buffer.from('{"version":"2","pipelines":[]}\n') }],
                1700000000,
              );
        res.writeHead(200, {
          'content-disposition': `attachment; filename=${c.id}-${m[1]}.tar`,
          'content-type': 'application/x-tar',
          'content-length': tar.length,
        });
        res.end(tar);
      },
    ],
    [
      'DELETE',
      /^\/api\/v1\/compose\/cancel\/([^/]+)$/,
      (_q, res, m) => {
        const c = composes.get(m[1]!);
        if (!c) return error(res, 400, 'UnknownUUID', `Compose ${m[1]} doesn't exist`);
        if (c.state !== 'WAITING' && c.state !== 'RUNNING')
          return error(res, 400, 'BuildInWrongState', `Build ${c.id} is not in WAITING or RUNNING.`);
        c.state = 'FAILED';
        c.cancelled = true;
        send(res, 200, { uuid: c.id, status: true });
      },
    ],
    [
      'DELETE',
      /^\/api\/v1\/compose\/delete\/([^/]+)$/,
      (_q, res, m) => {
        const ids = m[1]!.split(',');
        const ok = ids.filter((id) => composes.get(id)?.state === 'FINISHED' || composes.get(id)?.state === 'FAILED');
        for (const id of ok) composes.delete(id);
        send(res, 200, {
          uuids: ok.map((uuid) => ({ uuid, status: true })),
          errors: ids
            .filter((id) => !ok.includes(id))
            .map((id) => ({ id: 'UnknownUUID', msg: `${id} is not a finished or failed compose` })),
        });
      },
    ],
  ];

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({ method: req.method ?? '', path, contentType: req.headers['content-type'] });
    const matching = routes.filter(([, re]) => re.test(path));
    if (matching.length === 0) return error(res, 404, 'HTTPError', 'Not Found', 404);
    const route = matching.find(([method]) => method === req.method);
    if (!route) {
      res.writeHead(405);
      return void res.end();
    }
    Promise.resolve(route[2](req, res, route[1].exec(path)!)).catch((err: Error) =>
      error(res, 500, 'InternalError', err.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, resolve);
  });
  return {
    socket,
    requests,
    blueprints,
    composes,
    options: opts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
