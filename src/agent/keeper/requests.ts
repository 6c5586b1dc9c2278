// How `fyr-agent backup` (and the later day-2 subcommands) ask the running keeper for an
// operation: a unix socket only root can open, one JSON line in ({"operation": KIND,
// "options": {...}}), JSON lines out as it goes ({"progress": TEXT}) and a last one with the
// outcome. The keeper runs
// operations one at a time, so the state file keeps one writer.
import { connect, type Server } from 'node:net';
import { serveLines } from '../unix-socket.js';
import { OPERATION_KINDS, type OperationKind, type OperationOptions, type OperationRecord } from './records.js';

export interface RequestOutcome {
  status: OperationRecord['status'];
  id?: string;
  summary?: string;
  error?: string;
}

export type RequestOptions = OperationOptions;

export type Handler = (
  kind: OperationKind,
  progress: (line: string) => void,
  options: RequestOptions,
) => Promise<RequestOutcome>;

function optionsOf(value: unknown): RequestOptions | undefined {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: RequestOptions = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string' && typeof v !== 'boolean') return undefined;
    out[k] = v;
  }
  return out;
}

export async function serveRequests(path: string, handle: Handler): Promise<Server> {
  return serveLines(path, (line, socket) => {
    const answer = (outcome: RequestOutcome) => socket.end(`${JSON.stringify({ outcome })}\n`);
    let kind: unknown;
    let options: RequestOptions | undefined;
    try {
      const request = JSON.parse(line) as { operation?: unknown; options?: unknown };
      kind = request.operation;
      options = optionsOf(request.options);
    } catch {
      kind = undefined;
    }
    if (!OPERATION_KINDS.includes(kind as OperationKind)) {
      answer({ status: 'failed', error: `no such operation: ${String(kind)}` });
      return;
    }
    if (!options) {
      answer({ status: 'failed', error: 'the options are not a flat object of strings and booleans' });
      return;
    }
    const progress = (text: string) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify({ progress: text })}\n`);
    };
    void handle(kind as OperationKind, progress, options).then(answer, (err: Error) =>
      answer({ status: 'failed', error: err.message }),
    );
  });
}

// The client side: asks for one operation, hears its progress, returns its outcome.
export function requestOperation(
  path: string,
  kind: OperationKind,
  progress: (line: string) => void,
  options: RequestOptions = {},
): Promise<RequestOutcome> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    let buffer = '';
    let outcome: RequestOutcome | undefined;
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${JSON.stringify({ operation: kind, options })}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        try {
          const message = JSON.parse(line) as { progress?: string; outcome?: RequestOutcome };
          if (message.progress !== undefined) progress(message.progress);
          if (message.outcome) outcome = message.outcome;
        } catch {
          // A line that is not ours: ignored.
        }
      }
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
            ? `the keeper is not running (${path} is not open): the site is not installed yet, its install stopped on a failure (fyr-agent status says which), or the agent is stopped (systemctl start fyr-agent)`
            : err.code === 'EACCES'
              ? `${path}: only root may ask the keeper (sudo fyr-agent ${kind})`
              : `${path}: ${err.message}`,
        ),
      ),
    );
    socket.once('close', () => {
      if (outcome) resolve(outcome);
      else reject(new Error(`the keeper closed ${path} without an answer (stopped?)`));
    });
  });
}
