// Copies the payload into the extents planned for it (payload-session.ts), in image order, with
// large reads and writes, checking each file's sha256 on the way, while the MD5 follower hashes
// the image just behind on the other core. All-zero pieces are not written: the image file was
// sized in advance, so they are holes that read as zeros (a sparse input stays sparse).
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { FyrError } from '../errors.js';
import { followHash } from './follow-hash.js';
import type { Extent } from './iso9660.js';
import type { IsoMd5Checkpoint } from './isomd5.js';

export interface FillFile {
  source: string;
  sha256: string;
  size: number;
  extents: readonly Extent[];
}

export interface FillResult {
  checkpoints: IsoMd5Checkpoint[];
  // Files whose sha256 is not the expected one. After the first, nothing more is written.
  mismatches: Array<{ index: number; actual: string }>;
}

export interface FillOptions {
  signal?: AbortSignal;
  onBytes?: (done: number, total: number) => void;
}

const CHUNK = 8 << 20;
const ZERO = Buffer.alloc(CHUNK);

function ioError(err: unknown, what: string): FyrError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new FyrError('NO_SPACE', `no space left ${what}`, { cause: err });
  return new FyrError('WRITE_FAILED', `${what}: ${code ?? (err as Error).message}`, { cause: err });
}

async function readFull(input: FileHandle, buf: Buffer, length: number, position: number, source: string): Promise<Buffer> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await input.read(buf, got, length - got, position + got);
    if (bytesRead === 0) throw new FyrError('CONTENT_INVALID', `${source} became shorter while it was copied`);
    got += bytesRead;
  }
  return buf.subarray(0, length);
}

// `files` in image order; `imageSize` is the finished image's size.
export async function fillPayload(target: string, files: readonly FillFile[], imageSize: number, options: FillOptions = {}): Promise<FillResult> {
  const follower = followHash(target);
  const out = await open(target, 'r+');
  const total = files.reduce((n, f) => n + f.size, 0);
  const mismatches: FillResult['mismatches'] = [];
  const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  let done = 0;
  try {
    follower.ready(files[0]?.extents[0]?.offset ?? imageSize);
    for (const [index, file] of files.entries()) {
      const writing = mismatches.length === 0;
      const input = await open(file.source, 'r').catch((err: NodeJS.ErrnoException) => {
        throw new FyrError('CONTENT_INVALID', `cannot read ${file.source}: ${err.code ?? err.message}`);
      });
      const hash = createHash('sha256');
      try {
        // The pieces of the file: [offset in the file, length, offset in the image].
        const pieces: Array<[number, number, number]> = [];
        let from = 0;
        for (const x of file.extents) {
          for (let at = 0; at < x.length; at += CHUNK) pieces.push([from + at, Math.min(CHUNK, x.length - at), x.offset + at]);
          from += x.length;
        }
        // One piece is read ahead while the previous one is hashed and written.
        let next = pieces.length > 0 ? readFull(input, buffers[0]!, pieces[0]![1], pieces[0]![0], file.source) : undefined;
        for (let i = 0; i < pieces.length; i++) {
          if (options.signal?.aborted) throw new FyrError('INTERRUPTED', 'stopped before the image was complete');
          const data = await next!;
          const [, length, position] = pieces[i]!;
          const ahead = pieces[i + 1];
          next = ahead ? readFull(input, buffers[(i + 1) % 2]!, ahead[1], ahead[0], file.source) : undefined;
          next?.catch(() => {});
          hash.update(data);
          if (writing) {
            if (!data.equals(ZERO.subarray(0, length))) {
              await out.write(data, 0, length, position).catch((err: unknown) => {
                throw ioError(err, `writing ${target}`);
              });
            }
            follower.ready(position + length);
          }
          done += length;
          options.onBytes?.(done, total);
        }
      } finally {
        await input.close();
      }
      const actual = hash.digest('hex');
      if (actual !== file.sha256) {
        mismatches.push({ index, actual });
        // The image is abandoned: the rest is only read, to report every mismatch at once.
        await follower.stop();
      }
      if (mismatches.length === 0) follower.ready(files[index + 1]?.extents[0]?.offset ?? imageSize);
    }
    if (mismatches.length > 0) return { checkpoints: [], mismatches };
    follower.end(imageSize);
    const { checkpoints } = await follower.result;
    return { checkpoints, mismatches };
  } finally {
    await out.close();
    await follower.stop();
  }
}
