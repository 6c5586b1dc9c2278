// The merge's blobs the bastion lacks, copied by the kernel to their temporary names from the
// moment both trees are listed, while the merge makes and checks its plan: a temporary name is
// nothing the registry reads, and a refusal removes them and the directories made for them, so
// the plan still changes nothing. The copies only: checking each against its name, and putting
// it in place, wait for the plan (merge.ts).
import { mkdirSync, rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TreeFile } from '../../registry/tree.js';
import { MERGE_TEMP } from './merge-files.js';

export interface EarlyCopies {
  // The copy of this blob to its temporary name (undefined: not one of them).
  copied(path: string): Promise<void> | undefined;
  // No more copies started; the ones under way finished.
  stop(): Promise<void>;
  // stop(), then every temporary file and directory they made removed.
  undo(): Promise<void>;
}

export function earlyCopies(from: string, to: string, blobs: readonly TreeFile[], atOnce: number): EarlyCopies {
  const made: string[] = [];
  const ends = new Map<string, { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void }>();
  for (const f of blobs) {
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((y, n) => {
      resolve = y;
      reject = n;
    });
    // Seen by whoever waits on it; never an unhandled rejection.
    promise.catch(() => undefined);
    ends.set(f.path, { promise, resolve, reject });
  }
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && next < blobs.length) {
      const f = blobs[next++]!;
      const end = ends.get(f.path)!;
      try {
        const target = join(to, f.path);
        const first = mkdirSync(dirname(target), { recursive: true });
        if (first) made.push(first);
        // A temporary file of a killed run (perhaps read-only: the stick's mode) goes first.
        rmSync(`${target}${MERGE_TEMP}`, { force: true });
        await copyFile(join(from, f.path), `${target}${MERGE_TEMP}`);
        end.resolve();
      } catch (err) {
        end.reject(err);
      }
    }
  };
  const workers = Promise.all(Array.from({ length: Math.min(atOnce, blobs.length) }, worker));
  const stop = async () => {
    stopped = true;
    await workers;
  };
  return {
    copied: (path) => ends.get(path)?.promise,
    stop,
    async undo() {
      await stop();
      for (const f of blobs) rmSync(join(to, `${f.path}${MERGE_TEMP}`), { force: true });
      for (const d of made) rmSync(d, { recursive: true, force: true });
    },
  };
}
