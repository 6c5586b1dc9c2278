// The sha256 of an image file as it will be once some byte ranges are replaced (a site's
// areas and media-check field over a release), read in large pieces with the next read in
// flight while one is hashed: the disk (or page cache) and the hash overlap, and a build's
// kernel copy runs beside it on another core.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { overlay, type Patch } from '../iso9660/media-check.js';
import { throwIfAborted, type LongWork, type ProgressEvent } from '../util/progress.js';

const PIECE = 8 << 20;

export interface FileSha256Options extends LongWork<ProgressEvent<'sha256'>> {
  // Bytes to hash instead of the file's.
  patches?: readonly Patch[];
  // Hash this many bytes (a release image's size); the file must have them.
  size: number;
}

export async function fileSha256(path: string, o: FileSha256Options): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    const buffers = [Buffer.allocUnsafe(PIECE), Buffer.allocUnsafe(PIECE)];
    const readAt = async (at: number, slot: number) => {
      const buf = buffers[slot]!;
      const length = Math.min(PIECE, o.size - at);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(buf, got, length - got, at + got);
        if (bytesRead === 0) throw new Error(`${path} ends at ${at + got} bytes, before ${o.size}`);
        got += bytesRead;
      }
      return buf.subarray(0, length);
    };
    let at = 0;
    let slot = 0;
    let next = o.size > 0 ? readAt(0, 0) : undefined;
    while (next !== undefined) {
      const chunk = await next;
      const following = at + chunk.length;
      next = following < o.size ? readAt(following, 1 - slot) : undefined;
      if (o.patches) overlay(chunk, at, o.patches);
      hash.update(chunk);
      at = following;
      slot = 1 - slot;
      o.onProgress?.({ phase: 'sha256', done: at, total: o.size });
      if (o.signal?.aborted) {
        await next?.catch(() => undefined);
        throwIfAborted(o.signal, 'the sha256 was complete');
      }
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}
