// fyr composer-proxy: serve osbuild-composer's unix socket to CI runners, with tokens and TLS.
import { FyrError } from '../../errors.js';
import type { CommandSpec } from '../command.js';
import { parseSize, readOptionFile, requiredOption, warnIfShared } from '../options.js';
import { DEFAULT_SOCKET } from '../../composer/transport.js';

export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new FyrError('USAGE', `--listen ${value}: expected HOST:PORT, e.g. 0.0.0.0:8700 or [::]:8700`);
  return { host: m[1] ?? m[2]!, port };
}

export const composerProxyCommand: CommandSpec = {
  name: 'composer-proxy',
  summary: "Serve composer's socket to CI over HTTPS, with tokens",
  usage: 'fyr composer-proxy --tokens FILE --listen HOST:PORT [--socket PATH] [--tls-cert FILE --tls-key FILE]',
  description: [
    'Runs on the composer host. Forwards the Weldr API routes fyr uses from HOST:PORT to the unix socket, streaming bodies and image downloads. Every request needs "Authorization: Bearer TOKEN" with a token from FILE (lines "NAME read|build TOKEN", tokens of 32 characters or more, compared in constant time): read tokens may only GET status, blueprints and composes; build tokens may also push blueprints and start, cancel and download composes. Nothing else passes (403); a missing or wrong token is 401. Bodies over --max-body are refused (413), whatever the method; a GET or HEAD with a body is refused (400); a request (not its response) must arrive within a minute. Without --tls-cert, listening on anything but loopback prints a warning.',
    'One access-log line per request on stderr: time, token name (never the token), method, path, status, bytes. Stops gracefully on SIGTERM or Ctrl-C, finishing the requests under way.',
  ],
  options: {
    socket: { type: 'string', value: 'PATH', help: `Composer's socket (default ${DEFAULT_SOCKET})` },
    listen: { type: 'string', value: 'HOST:PORT', help: 'Address to listen on (required)' },
    tokens: { type: 'string', value: 'FILE', help: 'Token file (required; keep it mode 0600)' },
    'tls-cert': { type: 'string', value: 'FILE', help: 'PEM certificate: serve HTTPS (with --tls-key)' },
    'tls-key': { type: 'string', value: 'FILE', help: 'PEM private key' },
    'max-body': { type: 'string', value: 'SIZE', help: 'Largest request body (default 1M)' },
  },
  positionals: { min: 0, max: 0 },
  examples: [
    'fyr composer-proxy --tokens /etc/fyr/proxy-tokens --listen 0.0.0.0:8700 --tls-cert /etc/pki/tls/certs/composer.pem --tls-key /etc/pki/tls/private/composer.key',
  ],
  async run(args, io) {
    const tokensFile = requiredOption(args, 'tokens', 'missing --tokens FILE');
    const listen = requiredOption(args, 'listen', 'missing --listen HOST:PORT');
    const { host, port } = parseListen(listen);
    const cert = args.options['tls-cert'];
    const key = args.options['tls-key'];
    if ((typeof cert === 'string') !== (typeof key === 'string'))
      throw new FyrError('USAGE', '--tls-cert and --tls-key go together');
    // Loaded here: Fastify takes a sixth of a second to import, which no other command should pay.
    const { buildProxy, isLoopback, parseTokens } = await import('../../composer/proxy.js');
    const socket = typeof args.options.socket === 'string' ? args.options.socket : DEFAULT_SOCKET;
    warnIfShared(tokensFile, '--tokens', io);
    const app = await buildProxy({
      socket,
      tokens: parseTokens(readOptionFile(tokensFile, '--tokens'), tokensFile),
      ...(typeof cert === 'string' && typeof key === 'string'
        ? { tls: { cert: readOptionFile(cert, '--tls-cert'), key: readOptionFile(key, '--tls-key') } }
        : {}),
      bodyLimit: parseSize('max-body', args.options['max-body'], 1 << 20),
      log: (line) => io.stderr(`${line}\n`),
    });
    try {
      await app.listen({ host, port });
    } catch (err) {
      throw new FyrError(
        'LISTEN_FAILED',
        `cannot listen on ${listen}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        { cause: err },
      );
    }
    const address = app.server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    io.stderr(
      `fyr composer-proxy: ${cert ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${bound} -> unix:${socket}\n`,
    );
    if (!cert && !isLoopback(host))
      io.stderr(
        `warning: serving plain HTTP on ${host}: tokens and blueprints cross the network in clear; give --tls-cert and --tls-key\n`,
      );
    await new Promise<void>((resolve) => {
      if (io.signal?.aborted) resolve();
      io.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    await app.close();
    io.stderr('fyr composer-proxy: stopped\n');
    return 0;
  },
};
