// The unlock socket: how `fyr-agent unlock` (over SSH, as root) hands the locked agent a code.
// A unix socket only root can open; one line in (the code), one line out ("ok", or "wrong"
// with why). The code is never logged, on either side.
import type { Io } from './io.js';
import { connect, type Server } from 'node:net';
import { serveLines } from './unix-socket.js';

export type Verdict = { ok: true } | { ok: false; why: string };

// Serves codes to check until closed; check() answers each one (one at a time, by the caller).
export async function serveUnlock(
  path: string,
  check: (code: string, from: string) => Promise<Verdict>,
): Promise<Server> {
  return serveLines(
    path,
    (code, socket) =>
      void check(code, 'fyr-agent unlock').then(
        (v) => socket.end(v.ok ? 'ok\n' : `wrong ${v.why}\n`),
        (err: Error) => socket.end(`wrong ${err.message}\n`),
      ),
    { idleMs: 60_000 },
  );
}

// The client side: sends one code, returns the agent's verdict.
export function sendUnlock(path: string, code: string, timeoutMs = 120_000): Promise<Verdict> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    let answer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no answer from the agent on ${path} in ${timeoutMs / 1000} s`));
    });
    socket.once('connect', () => socket.write(`${code}\n`));
    socket.on('data', (c: string) => (answer += c));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
            ? `the agent is not waiting for an unlock code (${path} is not open): it is unlocked already, or not running`
            : `${path}: ${err.message}`,
        ),
      ),
    );
    socket.once('end', () => {
      const line = answer.trim();
      if (line === 'ok') resolve({ ok: true });
      else if (line.startsWith('wrong')) resolve({ ok: false, why: line.slice('wrong'.length).trim() });
      else reject(new Error(`the agent answered something unexpected on ${path}`));
    });
  });
}

// fyr-agent unlock: the code (read by main.ts) sent to the waiting agent; its verdict printed.
export async function unlock(socket: string, readCode: () => Promise<string>, io: Io): Promise<number> {
  try {
    const code = await readCode();
    io.err('checking (this takes a few seconds)...\n');
    const verdict = await sendUnlock(socket, code);
    if (verdict.ok) {
      io.out('fyr-agent: unlocked; the install goes on (fyr-agent status shows it)\n');
      return 0;
    }
    io.err(`fyr-agent: ${verdict.why}\n`);
    return 1;
  } catch (err) {
    io.err(`fyr-agent: ${(err as Error).message}\n`);
    return 1;
  }
}
