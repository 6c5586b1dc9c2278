// Worker thread: computes the media-check MD5 of an image while another program writes it,
// reading the file just behind the writer (from the page cache), so hashing overlaps the write
// on the second core and the image is never read back after it is complete.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { IsoMd5Hasher, isoMd5Layout, type IsoMd5Checkpoint } from '../iso9660/isomd5.js';
import { PVD_OFFSET, SECTOR } from '../iso9660/read.js';
import type { WorkerReply } from '../util/worker.js';

export interface FollowRequest {
  path: string;
  checkpointEvery: number;
  // Receives { end: finalSize } once the writer is done, or { abort: true }.
  control: MessagePort;
}

export type FollowReply = WorkerReply<{ bytes: number; checkpoints: IsoMd5Checkpoint[] }>;

class Aborted extends Error {}

const nap = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => Atomics.wait(nap, 0, 0, ms);

function follow({ path, checkpointEvery, control }: FollowRequest): { bytes: number; checkpoints: IsoMd5Checkpoint[] } {
  let end: number | undefined;
  const poll = () => {
    for (let m = receiveMessageOnPort(control); m; m = receiveMessageOnPort(control)) {
      const message = m.message as { end?: number; abort?: boolean };
      if (message.abort) throw new Aborted();
      if (typeof message.end === 'number') end = message.end;
    }
  };
  // Waits until the file has `bytes` bytes, or the writer is done.
  const waitFor = (fd: number, bytes: number) => {
    while (fstatSync(fd).size < bytes) {
      poll();
      if (end !== undefined) return false;
      sleep(3);
    }
    return true;
  };

  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      poll();
      if (end !== undefined) throw new Error(`${path} was never written`);
      sleep(3);
    }
  }
  try {
    if (!waitFor(fd, PVD_OFFSET + SECTOR)) return { bytes: fstatSync(fd).size, checkpoints: [] };
    const pvd = Buffer.alloc(SECTOR);
    readSync(fd, pvd, 0, SECTOR, PVD_OFFSET);
    const hasher = new IsoMd5Hasher(isoMd5Layout(pvd));
    const checkpoints: IsoMd5Checkpoint[] = [];
    const buf = Buffer.allocUnsafe(Math.min(checkpointEvery, 8 << 20));
    // Past the hashed length nothing is needed: the caller finishes from the last checkpoint.
    while (!hasher.done) {
      const boundary = (Math.floor(hasher.position / checkpointEvery) + 1) * checkpointEvery;
      const n = readSync(fd, buf, 0, Math.min(buf.length, boundary - hasher.position), hasher.position);
      if (n === 0) {
        poll();
        if (end !== undefined && hasher.position >= end) break;
        if (end === undefined) sleep(2);
        continue;
      }
      hasher.update(buf.subarray(0, n));
      if (hasher.position % checkpointEvery === 0) checkpoints.push(hasher.checkpoint());
    }
    return { bytes: hasher.position, checkpoints };
  } finally {
    closeSync(fd);
  }
}

try {
  const result = follow(workerData as FollowRequest);
  parentPort!.postMessage({ type: 'done', ...result } satisfies FollowReply);
} catch (err) {
  if (!(err instanceof Aborted))
    parentPort!.postMessage({ type: 'error', message: (err as Error).message } satisfies FollowReply);
}
