// Worker thread: sha256 of a list of files, read in large synchronous pieces. Two of these
// check a release's content in parallel, each on its own core.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

export interface Sha256Request {
  files: string[];
}

export type Sha256Reply = { type: 'progress'; bytes: number } | { type: 'file'; file: string; sha256: string } | { type: 'error'; file: string; message: string } | { type: 'done' };

const REPORT_EVERY = 64 << 20;
const buf = Buffer.allocUnsafe(4 << 20);
const post = (reply: Sha256Reply) => parentPort!.postMessage(reply);

for (const file of (workerData as Sha256Request).files) {
  try {
    const fd = openSync(file, 'r');
    try {
      const hash = createHash('sha256');
      let unreported = 0;
      for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) {
        hash.update(buf.subarray(0, n));
        unreported += n;
        if (unreported >= REPORT_EVERY) {
          post({ type: 'progress', bytes: unreported });
          unreported = 0;
        }
      }
      post({ type: 'progress', bytes: unreported });
      post({ type: 'file', file, sha256: hash.digest('hex') });
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    post({ type: 'error', file, message: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
  }
}
post({ type: 'done' });
