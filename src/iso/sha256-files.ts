// sha256 of many files on every core (at most `lanes` worker threads), biggest files first so
// the lanes finish together. Progress in bytes; an abort stops the workers.
import { availableParallelism } from 'node:os';
import { FyrError } from '../errors.js';
import { startWorker } from '../util/worker.js';
import type { Sha256Reply, Sha256Request } from './sha256-worker.js';

export interface SizedFile {
  absolute: string;
  size: number;
}

export async function sha256Files(files: readonly SizedFile[], onBytes: (bytes: number) => void, signal?: AbortSignal, lanes = Math.min(2, availableParallelism())): Promise<Map<string, string>> {
  const split: SizedFile[][] = Array.from({ length: Math.max(1, Math.min(lanes, files.length)) }, () => []);
  const load = split.map(() => 0);
  for (const f of [...files].sort((a, b) => b.size - a.size)) {
    const lane = load.indexOf(Math.min(...load));
    split[lane]!.push(f);
    load[lane]! += f.size;
  }
  const sums = new Map<string, string>();
  let bytes = 0;
  const workers = split.map((lane) => startWorker(import.meta.url, 'sha256-worker', { workerData: { files: lane.map((f) => f.absolute) } satisfies Sha256Request }));
  const stop = () => void Promise.all(workers.map((w) => w.terminate()));
  signal?.addEventListener('abort', stop, { once: true });
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            worker.on('message', (reply: Sha256Reply) => {
              if (reply.type === 'progress') onBytes((bytes += reply.bytes));
              else if (reply.type === 'file') sums.set(reply.file, reply.sha256);
              else if (reply.type === 'error') reject(new FyrError('CONTENT_INVALID', `cannot read ${reply.file}: ${reply.message}`));
              else resolve();
            });
            worker.once('error', reject);
            worker.once('exit', () => reject(new FyrError('INTERRUPTED', 'stopped while checking the content')));
          }),
      ),
    );
    return sums;
  } finally {
    signal?.removeEventListener('abort', stop);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
