// Runs xorriso with the image going to a pipe (xorriso writes a regular file out of order: its
// first 64 KiB last), writes it to the file in order, and computes the media-check MD5 in a
// worker thread that reads the file just behind the writer, from the page cache, with a
// resumable checkpoint every few MiB. Hashing runs on the second core, overlapping the write;
// the image is never read back from disk.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { FyrError } from '../errors.js';
import { startTool } from './exec.js';
import { followHash, type FollowResult } from './follow-hash.js';
import { isProblemLine, parseProgress } from './xorriso.js';

export interface WrittenImage extends FollowResult {}

export interface WriteOptions {
  signal?: AbortSignal;
  env: Record<string, string>;
  onPercent?: (percent: number) => void;
}

// `args` must make xorriso write the image to stdio:/dev/fd/3.
export async function writeImage(args: readonly string[], target: string, options: WriteOptions): Promise<WrittenImage> {
  const tool = startTool('xorriso', args, { env: options.env, ...(options.signal ? { cancelSignal: options.signal } : {}) });
  const problems: string[] = [];
  const reading = (async () => {
    for await (const line of tool.lines) {
      const progress = parseProgress(line);
      if (progress) options.onPercent?.(progress.percent);
      else if (isProblemLine(line)) problems.push(line.replace(/^[IRM]:\d: /, ''));
    }
  })();
  const out = createWriteStream(target, { flags: 'wx', highWaterMark: 4 << 20 });
  const hash = followHash(target);
  let bytes = 0;
  tool.data.on('data', (chunk: Buffer) => (bytes += chunk.length));
  const writing = pipeline(tool.data, out, ...(options.signal ? [{ signal: options.signal }] : [])).catch((err: NodeJS.ErrnoException) => {
    tool.stop();
    throw err;
  });
  try {
    const [w, x] = await Promise.allSettled([writing, tool.done, reading]);
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
    hash.end(bytes);
    const hashed = await hash.result;
    return { bytes, checkpoints: hashed.checkpoints };
  } finally {
    await hash.stop();
  }
}
