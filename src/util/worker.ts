// Starts a worker thread from a module next to the caller. Under tsx (the tests), a worker
// thread does not inherit tsx's loader, so it is registered in the worker before the import.
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startWorker(callerUrl: string, name: string, options: WorkerOptions): Worker {
  const typescript = callerUrl.endsWith('.ts');
  const url = new URL(`./${name}.${typescript ? 'ts' : 'js'}`, callerUrl);
  if (!typescript) return new Worker(url, options);
  const boot = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
