// The main-thread side of follow-hash-worker: start it on a file that is about to be written,
// tell it the final size when the writer is done, and get the MD5 checkpoints.
import { MessageChannel } from 'node:worker_threads';
import { startWorker, workerReply } from '../util/worker.js';
import type { FollowRequest } from './follow-hash-worker.js';
import type { IsoMd5Checkpoint } from '../iso9660/isomd5.js';

export const CHECKPOINT_EVERY = 4 << 20;

export interface FollowResult {
  bytes: number;
  // The media-check MD5 state at every multiple of CHECKPOINT_EVERY.
  checkpoints: IsoMd5Checkpoint[];
}

export interface Follower {
  result: Promise<FollowResult>;
  end(size: number): void;
  stop(): Promise<void>;
}

export function followHash(target: string): Follower {
  const channel = new MessageChannel();
  const request: FollowRequest = { path: target, checkpointEvery: CHECKPOINT_EVERY, control: channel.port2 };
  const worker = startWorker(import.meta.url, 'follow-hash-worker', {
    workerData: request,
    transferList: [channel.port2],
  });
  const result = workerReply<FollowResult>(worker, 'hashing the image');
  return {
    result,
    end: (size: number) => channel.port1.postMessage({ end: size }),
    stop: async () => {
      channel.port1.postMessage({ abort: true });
      channel.port1.close();
      await worker.terminate();
    },
  };
}
