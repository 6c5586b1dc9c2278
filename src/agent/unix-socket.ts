// The agent's local sockets (unlock, the keeper's requests): a unix socket only root can open,
// each connection's first line handed over once, the connection then the handler's to answer.
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';

const MAX_LINE = 4096;

export async function serveLines(
  path: string,
  onLine: (line: string, socket: Socket) => void,
  options: { idleMs?: number } = {},
): Promise<Server> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await rm(path, { force: true });
  const server = createServer((socket) => {
    let text = '';
    socket.setEncoding('utf8');
    if (options.idleMs) socket.setTimeout(options.idleMs, () => socket.destroy());
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > MAX_LINE) socket.destroy();
      const end = text.indexOf('\n');
      if (end < 0) return;
      socket.pause();
      socket.removeAllListeners('data');
      onLine(text.slice(0, end), socket);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  return server;
}
