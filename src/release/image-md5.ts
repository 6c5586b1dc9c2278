// The main-thread side of image-md5-worker: a pool of shared buffers the copy reads pieces
// into, handed to the worker in image order, the MD5 checkpoint at the first embed area, then
// the media-check MD5 of the whole image.
import { MessageChannel } from 'node:worker_threads';
import { FyrError } from '../errors.js';
import { startWorker, workerReply } from '../util/worker.js';
import type { ImageMd5Begin, ImageMd5Message, ImageMd5Reply, ImageMd5Request } from './image-md5-worker.js';
import type { IsoMd5Checkpoint, IsoMd5Result } from '../iso9660/isomd5.js';

// Node's types leave WebAssembly out; this is the one constructor used.
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => { buffer: ArrayBufferLike };
};

type ImageMd5Stats = Extract<ImageMd5Reply, { type: 'done' }>['stats'];

export interface ImageMd5 {
  // The pool's buffers, each `slotSize` bytes, to be used once `ready` has resolved (the
  // worker faults their pages in first).
  slots: Buffer[];
  ready: Promise<void>;
  // The image, once all but the payload is final in it: the worker hashes up to `firstAt` at
  // once. `onFree(slot)` is called when the worker is done with a slot.
  begin(target: ImageMd5Target, firstAt: number, onFree: (slot: number) => void): void;
  // Hash slot `slot` (its first `length` bytes) as the image's bytes at `at`.
  piece(at: number, length: number, slot: number): void;
  // No more pieces: hash the rest of the file up to the area and return the checkpoint there.
  end(): Promise<IsoMd5Checkpoint>;
  // After end(), once the bytes from the area on are final: hash them, the result.
  rest(): Promise<IsoMd5Result>;
  // Rejects as soon as the worker fails (or is stopped).
  failed: Promise<never>;
  stop(): Promise<void>;
}

export interface ImageMd5Target {
  path: string;
  stopAt: number;
  padAt: number | undefined;
  // Where the bytes between pieces are zeros the copy laid out (the sector padding after each
  // payload file): hashed without reading them. A read of the few KiB next to a direct write
  // goes to the disk (the page is not cached): 1 to 9 ms each, 1.6 s over a 5,600-file tree.
  zeros?: { from: number; to: number };
}

// Started early, while the image is laid out: the thread's start (50 to 90 ms on two busy
// cores) is then not between the layout and the first hashed byte.
export function imageMd5(slotCount: number, slotSize: number): ImageMd5 {
  // A WebAssembly memory is page-aligned, so its pieces can be written with O_DIRECT.
  const pages = Math.ceil((slotCount * slotSize) / 65536);
  const pool = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }).buffer as SharedArrayBuffer;
  const channel = new MessageChannel();
  const request: ImageMd5Request = { pool, slotSize, control: channel.port2 };
  const worker = startWorker(import.meta.url, 'image-md5-worker', {
    workerData: request,
    transferList: [channel.port2],
  });
  const result = workerReply<{ result: IsoMd5Result; stats: ImageMd5Stats }>(worker, 'hashing the image').then((r) => {
    // For FYR_TIMINGS: where the worker's time went (the MD5 is one stream on one core).
    performance.measure('fyr: MD5 worker: hashing', { start: 0, duration: r.stats.hashMs });
    performance.measure('fyr: MD5 worker: reading the image between pieces', { start: 0, duration: r.stats.readMs });
    performance.measure('fyr: MD5 worker: waiting for pieces', { start: 0, duration: r.stats.waitMs });
    return r.result;
  });
  result.catch(() => {});
  // Once it has replied the worker ends by itself: nothing to stop, no exit to wait for.
  let replied = false;
  result.then(
    () => (replied = true),
    () => {},
  );
  let reached: (checkpoint: IsoMd5Checkpoint) => void = () => {};
  const checkpoint = new Promise<IsoMd5Checkpoint>((resolve) => (reached = resolve));
  let onFree: (slot: number) => void = () => {};
  let isReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (isReady = resolve));
  channel.port1.on('message', (m: { free: number } | { checkpoint: IsoMd5Checkpoint } | { ready: true }) => {
    if ('free' in m) onFree(m.free);
    else if ('checkpoint' in m) reached(m.checkpoint);
    else isReady();
  });
  const send = (m: ImageMd5Message) => channel.port1.postMessage(m);
  // Nobody may be listening yet (a release that fails before its copy stops the worker).
  const failed = result.then(() => new Promise<never>(() => {}));
  failed.catch(() => {});
  // A worker that fails before it is ready rejects it (nobody may be waiting for it yet).
  const usable = Promise.race([ready, failed]);
  usable.catch(() => {});
  let stopped = false;
  return {
    slots: Array.from({ length: slotCount }, (_, i) => Buffer.from(pool, i * slotSize, slotSize)),
    ready: usable,
    begin: (target, firstAt, free) => {
      onFree = free;
      const begin: ImageMd5Begin = { zeros: undefined, ...target, firstAt };
      send({ begin });
    },
    piece: (at, length, slot) => send({ at, length, slot }),
    failed,
    end: async () => {
      send({ end: true });
      // A worker that fails first rejects the race; its checkpoint never comes.
      return Promise.race([
        checkpoint,
        result.then(() => Promise.reject(new FyrError('INTERNAL', 'the MD5 worker ended before the area'))),
      ]);
    },
    rest: async () => {
      send({ rest: true });
      return result;
    },
    stop: async () => {
      if (stopped || replied) return;
      stopped = true;
      send({ abort: true });
      channel.port1.close();
      await worker.terminate();
    },
  };
}
