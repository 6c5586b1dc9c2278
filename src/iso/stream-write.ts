// Runs xorriso with the image going to a pipe, and on its way to disk computes the media-check
// MD5 with a resumable checkpoint every few MiB: the image is written once and never re-read,
// except the few MiB from the last checkpoint before the embed areas.
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FyrError } from '../errors.js';
import { startTool } from './exec.js';
import { IsoMd5Hasher, isoMd5Layout, PVD_OFFSET, SECTOR, type IsoMd5Checkpoint } from './isomd5.js';
import { isProblemLine, parseProgress } from './xorriso.js';

export const CHECKPOINT_EVERY = 4 << 20;

export interface StreamedImage {
  bytes: number;
  checkpoints: IsoMd5Checkpoint[];
}

export interface StreamOptions {
  signal?: AbortSignal;
  env: Record<string, string>;
  onPercent?: (percent: number) => void;
}

class HashingTee extends Transform {
  bytes = 0;
  readonly checkpoints: IsoMd5Checkpoint[] = [];
  private head: Buffer[] = [];
  private hasher: IsoMd5Hasher | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    try {
      this.bytes += chunk.length;
      if (!this.hasher) {
        this.head.push(chunk);
        const head = Buffer.concat(this.head);
        if (head.length >= PVD_OFFSET + SECTOR) {
          this.hasher = new IsoMd5Hasher(isoMd5Layout(head.subarray(PVD_OFFSET, PVD_OFFSET + SECTOR)));
          this.head = [];
          this.feed(head);
        }
      } else {
        this.feed(chunk);
      }
      done(null, chunk);
    } catch (err) {
      done(err as Error);
    }
  }

  // Feeds in slices that end on checkpoint boundaries, so each checkpoint is exact.
  private feed(data: Buffer): void {
    const hasher = this.hasher!;
    let at = 0;
    while (at < data.length && !hasher.done) {
      const next = (Math.floor(hasher.position / CHECKPOINT_EVERY) + 1) * CHECKPOINT_EVERY;
      const take = Math.min(next - hasher.position, data.length - at);
      hasher.update(data.subarray(at, at + take));
      at += take;
      if (hasher.position % CHECKPOINT_EVERY === 0) this.checkpoints.push(hasher.checkpoint());
    }
  }
}

export async function streamImage(args: readonly string[], target: string, options: StreamOptions): Promise<StreamedImage> {
  const tool = startTool('xorriso', args, { env: options.env, ...(options.signal ? { cancelSignal: options.signal } : {}) });
  const problems: string[] = [];
  const reading = (async () => {
    for await (const line of tool.lines) {
      const progress = parseProgress(line);
      if (progress) options.onPercent?.(progress.percent);
      else if (isProblemLine(line)) problems.push(line.replace(/^[IRM]:\d: /, ''));
    }
  })();
  const tee = new HashingTee();
  const out = createWriteStream(target, { flags: 'wx', highWaterMark: 1 << 20 });
  const writing = pipeline(tool.data, tee, out, ...(options.signal ? [{ signal: options.signal }] : [])).catch((err: NodeJS.ErrnoException) => {
    tool.stop();
    throw err;
  });
  const results = await Promise.allSettled([writing, tool.done, reading]);
  const [w, x] = results;
  if (w.status === 'rejected') {
    const err = w.reason as NodeJS.ErrnoException;
    if (err.code === 'ENOSPC' || err.code === 'EDQUOT') throw new FyrError('NO_SPACE', `no space left writing ${target}`, { cause: err });
    if (err.name === 'AbortError' || options.signal?.aborted) throw new FyrError('INTERRUPTED', 'stopped before the image was complete', { cause: err });
    if (x.status === 'rejected') throw x.reason;
    throw new FyrError('WRITE_FAILED', `cannot write ${target}: ${err.message}`, { cause: err });
  }
  if (x.status === 'rejected') {
    const err = x.reason as FyrError;
    throw new FyrError(err.code, err.message, { details: problems.length > 0 ? problems.slice(-6) : err.details, cause: err });
  }
  return { bytes: tee.bytes, checkpoints: tee.checkpoints };
}
