// Worker thread: the media-check MD5 of a release image while the payload is being copied in,
// up to its first embed area (the checkpoint a site splice resumes from), then, once fyr has
// written release.json, over the areas to the end. It starts before the image is laid out and
// waits; once it begins, everything but the payload is final in the file (the base, fyr's
// tree, xorriso's session); the payload arrives as pieces in shared buffers, in image
// order, straight from the copy (nothing is read back). Between pieces, and after the last, the
// bytes come from the file. With the MD5 pad in place just before the area, node:crypto's MD5
// does the work and its state there is read off the digest; otherwise fyr's own MD5 does.
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { IsoMd5Hasher, isoMd5Layout, nativeMd5, type IsoMd5Result } from '../iso9660/isomd5.js';
import { PVD_OFFSET, SECTOR } from '../iso9660/read.js';
import type { WorkerReply } from '../util/worker.js';

// What the worker starts with: the pool. It starts while fyr still lays the image out; the
// image follows in { begin } once everything but the payload is final there.
export interface ImageMd5Request {
  pool: SharedArrayBuffer;
  slotSize: number;
  // Answers { ready: true } once the pool is the copy's to use. Receives { begin } first, then
  // { at, length, slot } per piece, { end: true } after the last, { rest: true } once the bytes
  // after the checkpoint are final, or { abort: true }; answers { free: slot } once a piece is
  // hashed and { checkpoint } at the area.
  control: MessagePort;
}

export interface ImageMd5Begin {
  path: string;
  // Where the checkpoint is taken (the first embed area), and where the MD5 pad's 64 bytes
  // start (stopAt - 64), if it is there.
  stopAt: number;
  padAt: number | undefined;
  zeros: { from: number; to: number } | undefined;
  // Where the first piece goes: the bytes before it are hashed from the file at once.
  firstAt: number;
}

export type ImageMd5Message =
  | { begin: ImageMd5Begin }
  | { at: number; length: number; slot: number }
  | { end: true }
  | { rest: true }
  | { abort: true };
// stats: milliseconds spent hashing, reading the file between pieces, and waiting for pieces.
export type ImageMd5Reply = WorkerReply<{
  result: IsoMd5Result;
  stats: { hashMs: number; readMs: number; waitMs: number };
}>;

const { pool, slotSize, control } = workerData as ImageMd5Request;
// The pool's pages are faulted in here, while fyr lays the image out, not by the copy's first
// pieces (33 MB of fresh memory held back the first eleven pieces, 10 ms each, measured). The
// copy uses no buffer before { ready }.
{
  const bytes = new Uint8Array(pool);
  for (let at = 0; at < bytes.length; at += 4096) bytes[at] = 0;
}
control.postMessage({ ready: true });
let path = '';
let stopAt = 0;
let padAt: number | undefined;
let zeros: ImageMd5Begin['zeros'];
let fd = -1;
let hasher: IsoMd5Hasher;
const scratch = Buffer.allocUnsafe(4 << 20);
let words: string | undefined;
const stats = { hashMs: 0, readMs: 0, waitMs: 0 };
let idleSince = performance.now();
// Where hashing stops for now: the area, then the end.
let limit = 0;

function begin(b: ImageMd5Begin): void {
  ({ path, stopAt, padAt, zeros } = b);
  limit = stopAt;
  fd = openSync(path, 'r');
  const pvd = Buffer.alloc(SECTOR);
  readSync(fd, pvd, 0, SECTOR, PVD_OFFSET);
  hasher = new IsoMd5Hasher(isoMd5Layout(pvd), undefined, padAt === undefined ? undefined : nativeMd5());
  feedFile(b.firstAt);
}

// Hashes `data`, which starts at the hasher's position, up to the limit; reads the state at
// the pad.
function feed(data: Uint8Array): void {
  let at = 0;
  while (at < data.length && hasher.position < limit) {
    const boundary = padAt !== undefined && hasher.position < padAt ? padAt : limit;
    const take = Math.min(boundary - hasher.position, data.length - at);
    const t = performance.now();
    hasher.update(data.subarray(at, at + take));
    stats.hashMs += performance.now() - t;
    at += take;
    if (hasher.position === padAt) words = hasher.digestSoFar().toString('hex');
  }
}

function feedFile(until: number): void {
  if (zeros && hasher.position >= zeros.from && until <= zeros.to) {
    while (hasher.position < until && hasher.position < limit && !hasher.done) {
      const take = Math.min(scratch.length, until - hasher.position);
      feed(scratch.fill(0, 0, take).subarray(0, take));
    }
    return;
  }
  while (hasher.position < until && hasher.position < limit && !hasher.done) {
    const t = performance.now();
    const n = readSync(fd, scratch, 0, Math.min(scratch.length, until - hasher.position), hasher.position);
    stats.readMs += performance.now() - t;
    if (n === 0) throw new Error(`${path} ends at ${hasher.position} bytes`);
    feed(scratch.subarray(0, n));
  }
}

function finish(reply: ImageMd5Reply): void {
  if (fd >= 0) closeSync(fd);
  control.close();
  parentPort!.postMessage(reply);
}

control.on('message', (message: ImageMd5Message) => {
  // Before { begin } fyr lays the image out; before { rest } it writes release.json: neither is
  // the copy.
  if (!('rest' in message) && !('begin' in message)) stats.waitMs += performance.now() - idleSince;
  try {
    if ('abort' in message) return finish({ type: 'error', message: 'aborted' });
    if ('begin' in message) {
      begin(message.begin);
      idleSince = performance.now();
      return;
    }
    if ('end' in message) {
      feedFile(stopAt);
      const checkpoint =
        padAt === undefined ? hasher.checkpoint() : hasher.checkpoint({ words: words!, length: stopAt, pending: '' });
      control.postMessage({ checkpoint });
      return;
    }
    if ('rest' in message) {
      limit = hasher.layout.hashedLength;
      feedFile(limit);
      return finish({ type: 'done', result: hasher.result(), stats });
    }
    if (message.at < hasher.position)
      throw new Error(`piece at ${message.at} is behind the hash at ${hasher.position}`);
    feedFile(message.at);
    feed(new Uint8Array(pool, message.slot * slotSize, message.length));
    control.postMessage({ free: message.slot });
    idleSince = performance.now();
  } catch (err) {
    finish({ type: 'error', message: (err as Error).message });
  }
});
