// Starts a worker thread from a module next to the caller. Under tsx (the tests), a worker
// thread does not inherit tsx's loader, so it is registered in the worker before the import.
// workerReply turns the worker's one reply into a promise, the same for every worker.
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { FyrError } from '../errors.js';

export function startWorker(callerUrl: string, name: string, options: WorkerOptions): Worker {
  const typescript = callerUrl.endsWith('.ts');
  const url = new URL(`./${name}.${typescript ? 'ts' : 'js'}`, callerUrl);
  if (!typescript) return new Worker(url, options);
  const boot = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}

// What a hashing worker sends back once: its result, or why it failed.
export type WorkerReply<T> = ({ type: 'done' } & T) | { type: 'error'; message: string };

// The worker's one reply as a promise: its result, INTERNAL when it failed, INTERRUPTED when it
// ended without replying (stopped). Never an unhandled rejection: callers await it when they need it.
export function workerReply<T>(worker: Worker, doing: string): Promise<{ type: 'done' } & T> {
  const reply = new Promise<{ type: 'done' } & T>((resolve, reject) => {
    worker.once('message', (r: WorkerReply<T>) =>
      r.type === 'done' ? resolve(r) : reject(new FyrError('INTERNAL', `${doing} failed: ${r.message}`)),
    );
    worker.once('error', (err) => reject(new FyrError('INTERNAL', `${doing} failed: ${err.message}`, { cause: err })));
    worker.once('exit', () => reject(new FyrError('INTERRUPTED', `stopped while ${doing}`)));
  });
  reply.catch(() => {});
  return reply;
}
