// Worker thread: the media-check MD5 of a release image while its payload is being copied in.
// Everything but the payload is already final in the file (the base, fyr's tree, xorriso's
// session); the payload arrives as pieces in shared buffers, in image order, straight from the
// copy (nothing is read back). Between pieces, and after the last, the bytes come from the file.
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { IsoMd5Hasher, isoMd5Layout, PVD_OFFSET, SECTOR, type IsoMd5Checkpoint } from './isomd5.js';

export interface ImageMd5Request {
  path: string;
  checkpointEvery: number;
  pool: SharedArrayBuffer;
  slotSize: number;
  // Receives { at, length, slot } per piece, { end: true } after the last, or { abort: true };
  // answers { free: slot } once a piece is hashed.
  control: MessagePort;
}

export type ImageMd5Message = { at: number; length: number; slot: number } | { end: true } | { abort: true };
export type ImageMd5Reply = { type: 'done'; checkpoints: IsoMd5Checkpoint[] } | { type: 'error'; message: string };

const { path, checkpointEvery, pool, slotSize, control } = workerData as ImageMd5Request;
const fd = openSync(path, 'r');
const pvd = Buffer.alloc(SECTOR);
readSync(fd, pvd, 0, SECTOR, PVD_OFFSET);
const hasher = new IsoMd5Hasher(isoMd5Layout(pvd));
const checkpoints: IsoMd5Checkpoint[] = [];
const scratch = Buffer.allocUnsafe(Math.min(checkpointEvery, 4 << 20));

// Hashes `data`, which starts at the hasher's position, saving a checkpoint at every boundary.
function feed(data: Uint8Array): void {
  let at = 0;
  while (at < data.length && !hasher.done) {
    const boundary = (Math.floor(hasher.position / checkpointEvery) + 1) * checkpointEvery;
    const take = Math.min(boundary - hasher.position, data.length - at);
    hasher.update(data.subarray(at, at + take));
    at += take;
    if (hasher.position % checkpointEvery === 0) checkpoints.push(hasher.checkpoint());
  }
}

function feedFile(until: number): void {
  while (hasher.position < until && !hasher.done) {
    const n = readSync(fd, scratch, 0, Math.min(scratch.length, until - hasher.position), hasher.position);
    if (n === 0) throw new Error(`${path} ends at ${hasher.position} bytes`);
    feed(scratch.subarray(0, n));
  }
}

function finish(reply: ImageMd5Reply): void {
  closeSync(fd);
  control.close();
  parentPort!.postMessage(reply);
}

control.on('message', (message: ImageMd5Message) => {
  try {
    if ('abort' in message) return finish({ type: 'error', message: 'aborted' });
    if ('end' in message) {
      feedFile(hasher.layout.hashedLength);
      return finish({ type: 'done', checkpoints });
    }
    if (message.at < hasher.position) throw new Error(`piece at ${message.at} is behind the hash at ${hasher.position}`);
    feedFile(message.at);
    feed(new Uint8Array(pool, message.slot * slotSize, message.length));
    control.postMessage({ free: message.slot });
  } catch (err) {
    finish({ type: 'error', message: (err as Error).message });
  }
});
