// How fyr reaches osbuild-composer's Weldr API: its unix socket on the same machine, or an
// http(s) URL (fyr composer-proxy in front of the socket, with a bearer token). One request
// function either way; a failure to connect says where and how to start composer.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { FyrError } from '../errors.js';

export interface WeldrRequest {
  method: 'GET' | 'POST' | 'DELETE';
  // Path from the API root, e.g. /api/v1/compose/types.
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

export interface WeldrResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: Readable;
}

export interface Transport {
  // Where composer is, for messages: "unix:/run/weldr/api.socket" or the URL.
  where: string;
  request(req: WeldrRequest, signal?: AbortSignal): Promise<WeldrResponse>;
}

// Where osbuild-composer's Weldr API listens on its own host.
export const DEFAULT_SOCKET = '/run/weldr/api.socket';

export interface TransportOptions {
  token?: string;
  // PEM CA bundle for a proxy with a private certificate.
  ca?: string;
}

function unreachable(where: string, err: NodeJS.ErrnoException, socket: boolean): FyrError {
  const details = socket
    ? [
        'Start composer on this machine: systemctl enable --now osbuild-composer.socket (and be root or in group weldr),',
        'or reach one elsewhere through fyr composer-proxy: --composer https://HOST:PORT with FYR_COMPOSER_TOKEN.',
      ]
    : [
        'Check that fyr composer-proxy runs there (systemctl status fyr-composer-proxy) and that this machine can reach it.',
      ];
  return new FyrError('COMPOSER_UNREACHABLE', `cannot reach osbuild-composer at ${where}: ${err.code ?? err.message}`, {
    details,
    cause: err,
  });
}

// "unix:/path" or a bare absolute path is the socket; anything else must be an http(s) URL.
export function makeTransport(composer: string, options: TransportOptions = {}): Transport {
  const socketPath = composer.startsWith('unix:') ? composer.slice(5) : composer.startsWith('/') ? composer : undefined;
  let base: URL | undefined;
  if (socketPath === undefined) {
    try {
      base = new URL(composer);
    } catch {
      throw new FyrError(
        'USAGE',
        `--composer ${composer}: expected unix:/path/to/api.socket or an https://host:port URL`,
      );
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:')
      throw new FyrError('USAGE', `--composer ${composer}: expected unix:, http: or https:`);
  }
  const where = socketPath !== undefined ? `unix:${socketPath}` : base!.origin;
  return {
    where,
    request(req, signal) {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string> = { ...req.headers };
        if (req.body) headers['content-length'] = String(req.body.length);
        if (options.token) headers.authorization = `Bearer ${options.token}`;
        const prefix = base ? base.pathname.replace(/\/$/, '') : '';
        const common = { method: req.method, path: `${prefix}${req.path}`, headers, ...(signal ? { signal } : {}) };
        const handle = (res: IncomingMessage) =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
        const r =
          socketPath !== undefined
            ? httpRequest({ ...common, socketPath, host: 'localhost' }, handle)
            : base!.protocol === 'https:'
              ? httpsRequest(
                  {
                    ...common,
                    host: base!.hostname,
                    port: base!.port || 443,
                    ...(options.ca ? { ca: options.ca } : {}),
                  },
                  handle,
                )
              : httpRequest({ ...common, host: base!.hostname, port: base!.port || 80 }, handle);
        r.on('error', (err: NodeJS.ErrnoException) => {
          if (err.name === 'AbortError')
            reject(new FyrError('INTERRUPTED', `stopped while talking to composer at ${where}`, { cause: err }));
          else reject(unreachable(where, err, socketPath !== undefined));
        });
        r.end(req.body);
      });
    },
  };
}
