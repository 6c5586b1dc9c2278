// How fyr release cuts the payload into the pieces it reads, hashes and writes: 4 MiB pieces of
// a large file, and batches of small files that lie one after the other in the image (a
// registry tree holds thousands of link files of 71 bytes), read into one buffer and written and
// MD5-hashed as one piece.
import { createHash } from 'node:crypto';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { FyrError } from '../errors.js';
import { SECTOR, type Extent } from '../iso9660/read.js';

export const CHUNK = 4 << 20;

export interface FillFile {
  source: string;
  // Undefined: not known in advance; the copy reports what it read (FillResult.read).
  sha256: string | undefined;
  // With no sha256: keep the file's bytes too (small files only).
  keep?: boolean;
  size: number;
  extents: readonly Extent[];
}

export interface Piece {
  file: number;
  // Offset in the file, length, offset in the image.
  from: number;
  length: number;
  at: number;
  // Several small files that lie one after the other, read into one buffer and written and
  // MD5-hashed as one piece (a registry tree holds thousands of link files of 71 bytes).
  batch?: number[];
}

// Files up to this size are batched; a batch stays within one buffer. Larger ones are written
// piece by piece, and start on a 4 KiB boundary of the image (payload-session.ts).
export const SMALL = 64 << 10;
const sectorEnd = (offset: number, size: number) => offset + Math.ceil(size / SECTOR) * SECTOR;

export function piecesOf(files: readonly FillFile[]): Piece[] {
  const pieces: Piece[] = [];
  let open: Piece | undefined;
  files.forEach((f, file) => {
    const only = f.extents.length === 1 ? f.extents[0]! : undefined;
    if (only && f.size > 0 && f.size <= SMALL) {
      const last = open?.batch?.at(-1);
      const follows =
        open !== undefined &&
        last !== undefined &&
        sectorEnd(files[last]!.extents[0]!.offset, files[last]!.size) === only.offset &&
        only.offset + f.size - open.at <= CHUNK;
      if (follows) {
        open!.batch!.push(file);
        open!.length = only.offset + f.size - open!.at;
      } else {
        open = { file, from: 0, length: f.size, at: only.offset, batch: [file] };
        pieces.push(open);
      }
      return;
    }
    open = undefined;
    let from = 0;
    for (const x of f.extents) {
      for (let at = 0; at < x.length; at += CHUNK)
        pieces.push({ file, from: from + at, length: Math.min(CHUNK, x.length - at), at: x.offset + at });
      from += x.length;
    }
  });
  return pieces;
}

// Small files read before their batch's turn, while the copy waits for the MD5 worker (the
// copy is ahead of it for most of a release): a registry tree's 3,500 links are opened and read
// then, not when their batches come last and the MD5 would wait for them (50 ms, measured).
// Held to `budget` bytes; a file that cannot be read here is left to readBatch, which reports it.
export class ReadAhead {
  private readonly queue: number[];
  private readonly read = new Map<number, { bytes: Buffer; sha256: string }>();
  private next = 0;
  private held = 0;
  spent = 0;

  constructor(
    private readonly files: readonly FillFile[],
    pieces: readonly Piece[],
    private readonly budget = 16 << 20,
  ) {
    this.queue = pieces.flatMap((p) => p.batch ?? []);
  }

  // Reads up to `count` more files; false when there is nothing more to do now.
  step(count = 32): boolean {
    const t = performance.now();
    for (let n = 0; n < count && this.next < this.queue.length; n++) {
      const index = this.queue[this.next]!;
      const f = this.files[index]!;
      if (this.held + f.size > this.budget) break;
      this.next++;
      const bytes = Buffer.allocUnsafe(f.size);
      try {
        const fd = openSync(f.source, constants.O_RDONLY | constants.O_NOFOLLOW);
        try {
          if (readSync(fd, bytes, 0, f.size, 0) !== f.size) continue;
        } finally {
          closeSync(fd);
        }
      } catch {
        continue;
      }
      this.read.set(index, { bytes, sha256: createHash('sha256').update(bytes).digest('hex') });
      this.held += f.size;
    }
    this.spent += performance.now() - t;
    return this.next < this.queue.length && this.held < this.budget;
  }

  // A file's bytes and sha256 if read ahead (given up: its room is free again).
  take(index: number): { bytes: Buffer; sha256: string } | undefined {
    const got = this.read.get(index);
    if (got) {
      this.read.delete(index);
      this.held -= got.bytes.length;
    }
    return got;
  }
}

// Reads a batch's files into `slot` at their places (zeros between them: sector padding), or
// copies what was read ahead, and returns each one's sha256.
export function readBatch(files: readonly FillFile[], piece: Piece, slot: Buffer, ahead?: ReadAhead): string[] {
  slot.fill(0, 0, piece.length);
  return piece.batch!.map((index) => {
    const f = files[index]!;
    const into = f.extents[0]!.offset - piece.at;
    const early = ahead?.take(index);
    if (early) {
      early.bytes.copy(slot, into);
      return early.sha256;
    }
    let fd: number;
    try {
      fd = openSync(f.source, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      throw new FyrError('CONTENT_INVALID', `cannot read ${f.source}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
    try {
      const n = readSync(fd, slot, into, f.size, 0);
      if (n !== f.size) throw new FyrError('CONTENT_INVALID', `${f.source} became shorter while it was copied`);
    } finally {
      closeSync(fd);
    }
    return createHash('sha256')
      .update(slot.subarray(into, into + f.size))
      .digest('hex');
  });
}
